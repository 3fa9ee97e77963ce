"""Call Automation's callback events: the CloudEvents ACS posts for a call, parsed strictly
and bounded (a body too large, too many events or a wrong shape is a 400), and what a failed
call's result code means for the page (no answer and busy may work later; a number that does
not exist will not)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from shared import jsonin
from shared.errors import InvalidInput

#: ACS posts a handful of events per request; a body this large is not from ACS.
MAX_BODY_BYTES = 256 * 1024
MAX_EVENTS = 100
#: SIP-style result codes ACS reports for a call that reached nobody. A number that does not
#: exist or may not be called (4xx other than these) is permanent; the rest may work later.
_NO_ANSWER = {408: "no answer", 480: "no answer", 487: "no answer", 486: "busy", 603: "declined"}
_PERMANENT = {400, 401, 403, 404, 410, 484}


# --- the callback events (CloudEvents, JSON array) -------------------------------------------
class ResultInformation(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    code: int = Field(default=0, ge=0, le=100_000)
    sub_code: int = Field(default=0, alias="subCode", ge=0, le=100_000_000)
    message: str = Field(default="", max_length=2000)


class DtmfResult(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    #: Tone names as ACS spells them: "zero" .. "nine", "asterisk", "pound", "a" .. "d".
    tones: tuple[str, ...] = Field(default=(), max_length=50)


class EventData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    call_connection_id: str = Field(default="", alias="callConnectionId", max_length=200)
    operation_context: str | None = Field(default=None, alias="operationContext", max_length=2000)
    result_information: ResultInformation | None = Field(default=None, alias="resultInformation")
    dtmf_result: DtmfResult | None = Field(default=None, alias="dtmfResult")


class CallEvent(BaseModel):
    """The fields of an ACS Call Automation CloudEvent that OpenAlert acts on."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str = Field(min_length=1, max_length=200)
    type: str = Field(min_length=1, max_length=200)
    data: EventData = Field(default_factory=EventData)

    @property
    def kind(self) -> str:
        """``Microsoft.Communication.CallConnected`` -> ``CallConnected``."""
        return self.type.rsplit(".", 1)[-1]


_EVENTS: TypeAdapter[list[CallEvent]] = TypeAdapter(list[CallEvent])


def parse_events(body: bytes) -> list[CallEvent]:
    """The callback body as events; anything else is :class:`InvalidInput` (400)."""
    if len(body) > MAX_BODY_BYTES:
        raise InvalidInput(f"the body is larger than {MAX_BODY_BYTES} bytes")
    try:
        raw = jsonin.loads(body, field="body")
    except jsonin.InvalidJson as exc:
        raise InvalidInput(f"the body is {exc.detail}", field="body") from None
    if isinstance(raw, dict):
        raw = [raw]  # a single CloudEvent in structured mode
    if not isinstance(raw, list) or not raw:
        raise InvalidInput("expected a JSON array of CloudEvents", field="body")
    if len(raw) > MAX_EVENTS:
        raise InvalidInput(f"at most {MAX_EVENTS} events per request", field="body")
    try:
        return _EVENTS.validate_python(raw)
    except (ValidationError, RecursionError) as exc:
        raise InvalidInput(f"not a Call Automation event: {str(exc)[:300]}", field="body") from None


def classify_failure(info: ResultInformation | None) -> tuple[bool, str]:
    """(permanent, reason) for a call that reached nobody."""
    code = info.code if info else 0
    if code in _NO_ANSWER:
        return False, _NO_ANSWER[code]
    detail = (info.message if info else "") or "the call failed"
    text = f"{detail} ({code}/{info.sub_code})" if info and code else detail
    return code in _PERMANENT, text
