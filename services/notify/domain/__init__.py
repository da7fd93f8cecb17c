"""Notify's rules: which webhook hears which event, when a failed delivery is tried again and
when it is given up (:mod:`.deliveries`); which citizen gets which message on which channel, when,
and for how long their contact is kept (:mod:`.citizens`); quiet hours (:mod:`.quiet`); and the
words citizens read (:mod:`.messages`, :mod:`.templates`). Standard library only (a test checks
it), so the simulator can use the same rules."""
