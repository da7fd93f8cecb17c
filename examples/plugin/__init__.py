"""An agency's plug-in: follows the agency's own events on the hall's NATS server and posts them
as JSON to the agency's system, and sends the agency's commands to its counters. See README.md."""
