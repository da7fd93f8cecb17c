from antre.v1 import events_pb2 as _events_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PauseCounter(_message.Message):
    __slots__ = ("meta", "counter", "reason")
    META_FIELD_NUMBER: _ClassVar[int]
    COUNTER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    meta: _events_pb2.EventMeta
    counter: int
    reason: str
    def __init__(self, meta: _Optional[_Union[_events_pb2.EventMeta, _Mapping]] = ..., counter: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class ResumeCounter(_message.Message):
    __slots__ = ("meta", "counter")
    META_FIELD_NUMBER: _ClassVar[int]
    COUNTER_FIELD_NUMBER: _ClassVar[int]
    meta: _events_pb2.EventMeta
    counter: int
    def __init__(self, meta: _Optional[_Union[_events_pb2.EventMeta, _Mapping]] = ..., counter: _Optional[int] = ...) -> None: ...

class CloseCounter(_message.Message):
    __slots__ = ("meta", "counter")
    META_FIELD_NUMBER: _ClassVar[int]
    COUNTER_FIELD_NUMBER: _ClassVar[int]
    meta: _events_pb2.EventMeta
    counter: int
    def __init__(self, meta: _Optional[_Union[_events_pb2.EventMeta, _Mapping]] = ..., counter: _Optional[int] = ...) -> None: ...

class CommandRefused(_message.Message):
    __slots__ = ("meta", "command_id", "command", "counter", "code", "reason", "reason_en")
    META_FIELD_NUMBER: _ClassVar[int]
    COMMAND_ID_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    COUNTER_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REASON_EN_FIELD_NUMBER: _ClassVar[int]
    meta: _events_pb2.EventMeta
    command_id: str
    command: str
    counter: _events_pb2.CounterRef
    code: str
    reason: str
    reason_en: str
    def __init__(self, meta: _Optional[_Union[_events_pb2.EventMeta, _Mapping]] = ..., command_id: _Optional[str] = ..., command: _Optional[str] = ..., counter: _Optional[_Union[_events_pb2.CounterRef, _Mapping]] = ..., code: _Optional[str] = ..., reason: _Optional[str] = ..., reason_en: _Optional[str] = ...) -> None: ...
