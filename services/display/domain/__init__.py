"""The display's rules: how a call is read aloud, when the hall's voice may speak it (one voice
per zone, never two at once) and what a zone's board shows. Standard library only (plus the
standard-library hall model), so that the simulator runs the very same voice."""
