"""tenios.Client's contact-center methods (click-to-call, callback, ACD agent state, wrap-up)
and the generic call_json, sync and AsyncClient: the exact request bytes, the documentation's
own example answers (canned by the simulator), the new error classes, arguments rejected before
sending, and the simulator's own model (its TENIOS number, callback configuration and agents)."""

from __future__ import annotations

import asyncio
import datetime
import json
from typing import Any

import pytest

import tenios
from conftest import ACCESS_KEY, AGENT, WRAP_UP_AGENT, Sim
from tenios import Status

JSON = [["Content-Type", "application/json"]]
END_TIME = "2020-01-01T09:00:00.000Z"


@pytest.fixture
def client(sim: Sim) -> Any:
    with tenios.Client(ACCESS_KEY, base_url=sim.url) as c:
        yield c


def answer(sim: Sim, body: str, status: int = 200) -> None:
    sim.fault(status=status, headers=JSON, body=body)


def sent(sim: Sim) -> list[tuple[str, str]]:
    return [(r["path"], r["body"]) for r in sim.requests()]


def key_and(members: str) -> str:
    return '{"access_key":' + json.dumps(ACCESS_KEY) + members + "}"


def test_each_method_sends_its_documented_fields_and_reads_the_documented_answer(
        sim: Sim, client: tenios.Client) -> None:
    answer(sim, '{"id": 10}')
    assert client.makecall_init("+491234567890", "+4922112345678") == "10"
    answer(sim, '{"id": "66195"}')
    assert client.makecall_init("+491234567890", "+4922112345678", caller_id="+4922112345678123",
                                callstate_info_url="https://crm.example/state") == "66195"
    answer(sim, '{"status": "REQUESTED"}')
    assert client.makecall_status(10) == "REQUESTED"
    answer(sim, '{"id": 10}')
    announcement = "Customer Peter Müller is being called now, please press 1 to start the call."
    assert client.callback_init("XXXXX-XXXX-XXXXXX", "+491234567890", delay=30,
                                agent_announcement=announcement, dtmf_key="1") == "10"
    answer(sim, '{"status": "CALLING_B"}')
    assert client.callback_status("10") == "CALLING_B"
    answer(sim, '{"email": "test@test.com", "state": "NOT_READY"}')
    assert client.agent_state_retrieve("test@test.com") == "NOT_READY"
    answer(sim, '{"success": true}')
    assert client.agent_state_change("test@test.com", state="NOT_READY",
                                     not_ready_reason="COF") is None
    answer(sim, '{"success": true, "wrap_up_end_time": "2020-01-01T09:00:00.000Z"}')
    assert client.wrap_up_extend("test@test.com", end_time=END_TIME) == END_TIME
    answer(sim, '{"success": true, "wrap_up_end_time": "2020-01-01T10:00:00.000+01:00"}')
    tz = datetime.timezone(datetime.timedelta(hours=1))
    assert client.wrap_up_extend("test@test.com", end_time=datetime.datetime(
        2020, 1, 1, 10, tzinfo=tz)) == "2020-01-01T10:00:00.000+01:00"
    answer(sim, '{"success": true}')
    assert client.wrap_up_cancel("test@test.com") is None
    assert sent(sim) == [
        ("/makecall/init", key_and(',"destination_number":"+491234567890",'
                                   '"tenios_number":"+4922112345678"')),
        ("/makecall/init", key_and(',"destination_number":"+491234567890",'
                                   '"tenios_number":"+4922112345678","caller_id":"+4922112345678123",'
                                   '"callstate_info_url":"https://crm.example/state"')),
        ("/makecall/status", key_and(',"id":"10"')),
        ("/callback/init", key_and(',"callback_config_id":"XXXXX-XXXX-XXXXXX",'
                                   '"callback_number":"+491234567890","agent_announcement":"'
                                   + announcement + '","dtmf_key_to_trigger_customer_call":"1",'
                                   '"delay":30')),
        ("/callback/status", key_and(',"id":"10"')),
        ("/acd/agent-state/retrieve", key_and(',"email":"test@test.com"')),
        ("/acd/agent-state/change", key_and(',"email":"test@test.com","state":"NOT_READY",'
                                            '"not_ready_reason":"COF"')),
        ("/wrap-up/extend", key_and(',"agent_email":"test@test.com","end_time":"' + END_TIME
                                    + '"')),
        ("/wrap-up/extend", key_and(',"agent_email":"test@test.com",'
                                    '"end_time":"2020-01-01T10:00:00.000+01:00"')),
        ("/wrap-up/cancel", key_and(',"agent_email":"test@test.com"')),
    ]


def test_documented_errors_raise_their_classes(sim: Sim, client: tenios.Client) -> None:
    answer(sim, '{"error_code": "AGENT_NOT_FOUND", "error_message": "Agent not found.", '
                '"fields": ["agent_email"]}', 400)
    with pytest.raises(tenios.AgentNotFoundError) as found:
        client.wrap_up_extend("x@example.com", end_time=END_TIME)
    assert found.value.status is Status.ERR_AGENT_NOT_FOUND
    assert (found.value.api_code, found.value.http_status, found.value.fields) == (
        "AGENT_NOT_FOUND", 400, ("agent_email",))
    assert str(found.value) == "AGENT_NOT_FOUND: Agent not found. (fields: agent_email)"
    answer(sim, '{"error_code": "AGENT_NOT_IN_WRAP_UP", "error_message": "The agent is currently'
                ' not in a wrap-up status.", "fields": ["agent_email"]}', 400)
    with pytest.raises(tenios.AgentNotInWrapUpError) as wrap:
        client.wrap_up_cancel("x@example.com")
    assert wrap.value.status is Status.ERR_AGENT_NOT_IN_WRAP_UP
    answer(sim, '{"error_code": "FIELD_IS_REQUIRED", "error_message": "Parameter \'agent_email\' '
                'is required", "fields": ["agent_email"]}', 400)
    with pytest.raises(tenios.ApiError) as required:
        client.wrap_up_cancel("x@example.com")
    assert required.value.api_code == "FIELD_IS_REQUIRED"
    answer(sim, '{"error_code": "BAD_CREDENTIALS", "error_message": "Bad credentials", '
                '"fields": []}', 400)
    with pytest.raises(tenios.BadCredentialsError):
        client.callback_init("wrong-config", "+491234567890", delay=0)
    assert sim.stats()["requests"] == 4


def test_arguments_are_checked_before_anything_is_sent(sim: Sim, client: tenios.Client) -> None:
    cases = [
        (lambda: client.makecall_init("", "+49"), "destination_number is empty"),
        (lambda: client.makecall_init("+49", "+49", caller_id=""), "caller_id is empty"),
        (lambda: client.makecall_init("+49", "+49", callstate_info_url="http://x/y"),
         'callstate_info_url "http://x/y" is not an https:// URL'),
        (lambda: client.agent_state_change("a@b.c", state="AWAY"),
         'state "AWAY" is not READY or NOT_READY'),
        (lambda: client.wrap_up_extend("a@b.c", end_time="in 10 minutes"),
         'end_time "in 10 minutes" is not a time with a time zone (e.g. 2020-01-01T09:00:00.000Z'
         ' or 2020-01-01T10:00:00+01:00)'),
        (lambda: client.wrap_up_extend("a@b.c", end_time=datetime.datetime(2020, 1, 1)),
         "end_time is a naive datetime: it needs a time zone"),
        (lambda: client.callback_init("cfg", "+49", delay=-1),
         "delay -1 does not fit in a uint32 (seconds)"),
        (lambda: client.call_json("/cdrs/retrieve?page=1"),
         'path "/cdrs/retrieve?page=1" has a query or fragment'),
        (lambda: client.call_json("/cdrs/retrieve", {"access_key": "other"}),
         "body_json has its own access_key (the client's key is sent)"),
        (lambda: client.call_json("/cdrs/retrieve", "[1]"), "body_json is not a JSON object"),
    ]
    for call, message in cases:
        with pytest.raises(tenios.InvalidArgumentError) as info:
            call()
        assert str(info.value) == message
    with pytest.raises(TypeError):
        client.callback_init("cfg", "+49", delay=1.5)  # type: ignore[arg-type]
    assert sim.stats()["requests"] == 0


def test_call_json_reaches_cdrs_and_verification_and_returns_a_dict(
        sim: Sim, client: tenios.Client) -> None:
    answer(sim, '{"verification_id": "705d5302-d918-454a-b703-c9c23995726e"}')
    assert client.call_json("/verification/create", {"country": "Germany", "city": "Köln"}) == {
        "verification_id": "705d5302-d918-454a-b703-c9c23995726e"}
    answer(sim, '{"items": [], "total_items": 0, "page": 1, "page_size": 10}')
    assert client.call_json("/cdrs/retrieve", '{"page": 1, "page_size": 10}') == {
        "items": [], "total_items": 0, "page": 1, "page_size": 10}
    assert sent(sim) == [
        ("/verification/create", key_and(',"country": "Germany", "city": "Köln"')),
        ("/cdrs/retrieve", key_and(',"page": 1, "page_size": 10')),
    ]
    with pytest.raises(tenios.HttpError) as info:
        client.call_json("/number/order")
    assert info.value.http_status == 404


def test_the_simulators_model(sim: Sim, client: tenios.Client) -> None:
    call_id = client.makecall_init("+491701234567", "+4922112345678")
    assert client.makecall_status(call_id) == "CONNECTED"
    callback = client.callback_init("sim-callback-config", "+491701234567", delay=0)
    assert client.callback_status(callback) == "CONNECTED"
    assert client.agent_state_retrieve(AGENT) == "READY"
    client.agent_state_change(AGENT, state="NOT_READY", not_ready_reason="COF")
    assert client.agent_state_retrieve(AGENT) == "NOT_READY"
    with pytest.raises(tenios.AgentNotInWrapUpError):
        client.wrap_up_cancel(AGENT)
    assert client.wrap_up_extend(WRAP_UP_AGENT, end_time=END_TIME) == END_TIME
    client.wrap_up_cancel(WRAP_UP_AGENT)
    with pytest.raises(tenios.AgentNotFoundError):
        client.agent_state_retrieve("nobody@example.com")


def test_async_client_has_them_too(sim: Sim) -> None:
    async def main() -> None:
        async with tenios.AsyncClient(ACCESS_KEY, base_url=sim.url) as client:
            call_id = await client.makecall_init("+491701234567", "+4922112345678")
            assert await client.makecall_status(call_id) == "CONNECTED"
            callback = await client.callback_init("sim-callback-config", "+4917012", delay=0)
            assert await client.callback_status(int(callback)) == "CONNECTED"
            await client.agent_state_change(AGENT, state="READY")
            assert await client.agent_state_retrieve(AGENT) == "READY"
            assert await client.wrap_up_extend(WRAP_UP_AGENT, end_time=END_TIME) == END_TIME
            await client.wrap_up_cancel(WRAP_UP_AGENT)
            answer(sim, '{"verification_id": "v-1"}')
            assert await client.call_json("/verification/create", {}) == {
                "verification_id": "v-1"}
            assert client.last_timings is not None
    asyncio.run(main())
