"""Notify's rules: which webhook hears which event, when a failed delivery is tried again and
when it is given up, and the words a citizen reads when their number is called. Standard library
only (a test checks it), so the simulator can use the same rules."""
