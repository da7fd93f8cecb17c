"""The queue's rules: a queued ticket's life at the counters, a counter's own states, who may act
at a counter, which ticket a counter calls next, and a ticket's position. Standard library only:
the simulator drives these very functions."""
