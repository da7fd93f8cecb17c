"""Ticketing's rules: the hall day, when numbers may be issued, numbering and a ticket's life
until the counters take it over. Standard library only."""
