"""The one map between the events' wire enums (``proto/antre/v1/events.proto``) and the hall's
words for them: a ticket's priority group and the channel it came by. Every service that writes
or reads them goes through these, so a group or channel added to the wire is added once."""

from __future__ import annotations

from antre.hall.model import PriorityGroup
from antre.v1 import events_pb2 as pb

PRIORITY_TO_WIRE: dict[PriorityGroup, pb.PriorityGroup] = {
    PriorityGroup.NONE: pb.PRIORITY_GROUP_NONE,
    PriorityGroup.ELDERLY: pb.PRIORITY_GROUP_ELDERLY,
    PriorityGroup.DISABILITY: pb.PRIORITY_GROUP_DISABILITY,
    PriorityGroup.PREGNANT: pb.PRIORITY_GROUP_PREGNANT,
    PriorityGroup.CHILD: pb.PRIORITY_GROUP_CHILD,
}
PRIORITY_FROM_WIRE: dict[pb.PriorityGroup, PriorityGroup] = {
    wire: group for group, wire in PRIORITY_TO_WIRE.items()
}

# How a ticket came: at the kiosk, booked online, or issued by staff for someone without a phone
# (CHANNEL_UNSPECIFIED has no word: a reader takes its own default).
CHANNEL_TO_WIRE: dict[str, pb.Channel] = {
    "walk_in": pb.CHANNEL_WALK_IN,
    "online": pb.CHANNEL_ONLINE,
    "staff": pb.CHANNEL_STAFF,
}
CHANNEL_FROM_WIRE: dict[pb.Channel, str] = {wire: word for word, wire in CHANNEL_TO_WIRE.items()}
