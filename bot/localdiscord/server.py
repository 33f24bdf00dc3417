"""The local Discord's HTTP face: REST v10 routes and the gateway websocket, on aiohttp.

Thin handlers: each reads the request, calls :class:`~bot.localdiscord.driver.LocalDiscord`,
and answers with JSON shaped as Discord's (``Content-Type: application/json`` exactly, and
rate-limit headers generous enough never to slow a benchmark down).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from aiohttp import BodyPartReader, WSMsgType, web

from bot.localdiscord import gateway
from bot.localdiscord.errors import ApiError
from bot.localdiscord.model import JSON, Message, from_json, to_json

if TYPE_CHECKING:
    from bot.localdiscord.driver import LocalDiscord

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_BUCKET_LIMIT = "10000"


def _rate_limit_headers() -> dict[str, str]:
    return {
        "X-RateLimit-Limit": _BUCKET_LIMIT,
        "X-RateLimit-Remaining": str(int(_BUCKET_LIMIT) - 1),
        "X-RateLimit-Reset-After": "60.000",
        "X-RateLimit-Reset": f"{time.time() + 60:.3f}",
    }


def respond(data: Any, status: int = 200) -> web.Response:
    """``data`` as JSON (``bytes`` are taken as JSON already encoded)."""
    body = data if isinstance(data, bytes) else to_json(data)
    headers = _rate_limit_headers()
    headers["Content-Type"] = "application/json"
    return web.Response(body=body, status=status, headers=headers)


def no_content() -> web.Response:
    return web.Response(status=204, headers=_rate_limit_headers())


async def read_body(request: web.Request) -> JSON:
    """A JSON body, or the ``payload_json`` of a multipart one (files become attachments)."""
    if not request.body_exists:
        return {}
    if request.content_type.startswith("multipart/"):
        body: JSON = {}
        attachments: list[JSON] = []
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            data = await part.read()
            if part.name == "payload_json":
                body = from_json(data)
            else:
                filename = part.filename or part.name or "file"
                attachments.append(
                    {"id": str(len(attachments)), "filename": filename, "size": len(data)}
                )
        if attachments:
            body["attachments"] = [
                {**declared, **found}
                for declared, found in zip(
                    body.get("attachments") or [{}] * len(attachments), attachments, strict=False
                )
            ]
        return body
    loaded = from_json(await request.read())
    return loaded if isinstance(loaded, dict) else {"_list": loaded}


def _snowflake(request: web.Request, key: str) -> int:
    try:
        return int(request.match_info[key])
    except ValueError:
        raise ApiError(400, 50035, f"Value {request.match_info[key]!r} is not snowflake.") from None


def route(method: Callable[[web.Request, float], Awaitable[Any]], *, auth: bool = True) -> Handler:
    """A handler around an ``Api`` method: check the bot token, record the call, and turn the
    result into a response (``None`` -> 204, ``ApiError`` -> Discord's error JSON)."""
    api: Api = method.__self__  # type: ignore[attr-defined]
    discord = api.discord

    async def handler(request: web.Request) -> web.StreamResponse:
        arrived = time.perf_counter()
        resource = request.match_info.route.resource
        discord.requests.append((request.method, resource.canonical if resource else request.path))
        if auth and not discord.check_token(request.headers.get("Authorization")):
            return respond({"message": "401: Unauthorized", "code": 0}, 401)
        try:
            result = await method(request, arrived)
        except ApiError as error:
            discord.rejected.append((request.method, request.path, error.status, error.body))
            return respond(error.body, error.status)
        if result is None:
            return no_content()
        if isinstance(result, web.StreamResponse):
            return result
        return respond(result)

    return handler


class Api:
    """REST and gateway handlers over one :class:`LocalDiscord`.

    Each REST method takes the request and the ``perf_counter`` time it arrived; :func:`route`
    makes it a handler.
    """

    def __init__(self, discord: LocalDiscord) -> None:
        self.discord = discord

    def channel(self, request: web.Request) -> Any:
        channel = self.discord.channels.get(_snowflake(request, "channel_id"))
        if channel is None:
            raise ApiError(404, 10003, "Unknown Channel")
        return channel

    def message(self, request: web.Request) -> Message:
        channel = self.channel(request)
        message = self.discord.messages.get(_snowflake(request, "message_id"))
        if message is None or message.channel is not channel or message.deleted:
            raise ApiError(404, 10008, "Unknown Message")
        return message

    def webhook_interaction(self, request: web.Request) -> Any:
        if _snowflake(request, "application_id") != self.discord.application_id:
            raise ApiError(404, 10015, "Unknown Webhook")
        interaction = self.discord.interactions_by_token.get(request.match_info["token"])
        if interaction is None:
            raise ApiError(404, 10015, "Unknown Webhook")
        return interaction

    def webhook_message(self, request: web.Request) -> Message:
        interaction = self.webhook_interaction(request)
        which = request.match_info["message_id"]
        if which == "@original":
            return self.discord.original_response(interaction)
        message = self.discord.messages.get(int(which)) if which.isdigit() else None
        if message is None or message.interaction is not interaction or message.deleted:
            raise ApiError(404, 10008, "Unknown Message")
        return message

    # Login -----------------------------------------------------------------------------------
    async def me(self, request: web.Request, arrived: float) -> JSON:
        user = self.discord.bot_user
        return {**user.payload(), "verified": True, "mfa_enabled": False, "locale": "en-US"}

    async def application(self, request: web.Request, arrived: float) -> JSON:
        discord = self.discord
        return {
            "id": str(discord.application_id),
            "name": discord.bot_user.name,
            "description": "A local Discord application",
            "icon": None,
            "bot_public": False,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": discord.owner.payload(),
            "team": None,
            "flags": 0,
            "summary": "",
            "rpc_origins": [],
            "tags": [],
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "approximate_guild_count": len(discord.guilds),
        }

    async def gateway_bot(self, request: web.Request, arrived: float) -> JSON:
        url = self.discord.url.replace("http://", "ws://")
        return {
            "url": url,
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 1000,
                "reset_after": 0,
                "max_concurrency": 1,
            },
        }

    # Channels and messages -------------------------------------------------------------------
    async def get_channel(self, request: web.Request, arrived: float) -> JSON:
        payload: JSON = self.channel(request).payload()
        return payload

    async def open_dm(self, request: web.Request, arrived: float) -> JSON:
        body = await read_body(request)
        user = self.discord.users.get(int(body.get("recipient_id") or 0))
        if user is None:
            raise ApiError(400, 50035, "Invalid Form Body")
        return self.discord.dm(user).payload()

    async def create_message(self, request: web.Request, arrived: float) -> web.Response:
        channel = self.channel(request)
        body = await read_body(request)
        message = await self.discord.create_message(channel, body, arrived=arrived)
        return respond(message.wire())

    async def get_message(self, request: web.Request, arrived: float) -> JSON:
        return self.message(request).payload()

    async def edit_message(self, request: web.Request, arrived: float) -> web.Response:
        message = self.message(request)
        body = await read_body(request)
        edited = await self.discord.edit_message(message, body, arrived=arrived)
        return respond(edited.wire())

    async def delete_message(self, request: web.Request, arrived: float) -> None:
        message = self.message(request)
        if message.author is not self.discord.bot_user and not message.channel.guild:
            raise ApiError(403, 50003, "Cannot execute action on a DM channel")
        await self.discord.delete_message(message)

    async def add_reaction(self, request: web.Request, arrived: float) -> None:
        message = self.message(request)
        emoji = unquote(request.match_info["emoji"])
        if emoji not in message.reactions:
            message.reactions.append(emoji)

    async def remove_reaction(self, request: web.Request, arrived: float) -> None:
        message = self.message(request)
        emoji = unquote(request.match_info["emoji"])
        if emoji in message.reactions:
            message.reactions.remove(emoji)

    async def typing(self, request: web.Request, arrived: float) -> None:
        self.channel(request)

    async def get_member(self, request: web.Request, arrived: float) -> JSON:
        guild = self.discord.guilds.get(_snowflake(request, "guild_id"))
        if guild is None:
            raise ApiError(404, 10004, "Unknown Guild")
        member = guild.members.get(_snowflake(request, "user_id"))
        if member is None:
            raise ApiError(404, 10007, "Unknown Member")
        return member.payload()

    async def get_user(self, request: web.Request, arrived: float) -> JSON:
        user = self.discord.users.get(_snowflake(request, "user_id"))
        if user is None:
            raise ApiError(404, 10013, "Unknown User")
        return user.payload()

    # Application commands --------------------------------------------------------------------
    def _scope(self, request: web.Request) -> int | None:
        if _snowflake(request, "application_id") != self.discord.application_id:
            raise ApiError(403, 50001, "Missing Access")
        return _snowflake(request, "guild_id") if "guild_id" in request.match_info else None

    async def put_commands(self, request: web.Request, arrived: float) -> web.Response:
        scope = self._scope(request)
        body = await read_body(request)
        return respond(self.discord.overwrite_commands(scope, body.get("_list", [])))

    async def get_commands(self, request: web.Request, arrived: float) -> web.Response:
        return respond(self.discord.commands.get(self._scope(request), []))

    # Interactions ----------------------------------------------------------------------------
    async def callback(self, request: web.Request, arrived: float) -> JSON | None:
        interaction = self.discord.interaction_for(
            _snowflake(request, "interaction_id"), request.match_info["token"]
        )
        body = await read_body(request)
        response = await self.discord.answer_interaction(interaction, body, arrived=arrived)
        return response if request.query.get("with_response") in ("1", "true") else None

    async def follow_up(self, request: web.Request, arrived: float) -> JSON | None:
        interaction = self.webhook_interaction(request)
        body = await read_body(request)
        message = await self.discord.follow_up(interaction, body, arrived=arrived)
        return message.payload() if request.query.get("wait") in ("1", "true") else None

    async def get_webhook_message(self, request: web.Request, arrived: float) -> JSON:
        return self.webhook_message(request).payload()

    async def edit_webhook_message(self, request: web.Request, arrived: float) -> JSON:
        message = self.webhook_message(request)
        body = await read_body(request)
        interaction = self.webhook_interaction(request)
        edited = await self.discord.edit_message(message, body, arrived=arrived, by=interaction)
        return edited.payload()

    async def delete_webhook_message(self, request: web.Request, arrived: float) -> None:
        await self.discord.delete_message(self.webhook_message(request))

    # The bot reporting that it is done with inputs (bot in another process) ------------------
    async def handled(self, request: web.Request, arrived: float) -> None:
        body = await read_body(request)
        for input_id in body.get("_list", []):
            self.discord.handled(int(input_id))

    async def unknown(self, request: web.Request, arrived: float) -> None:
        log.warning("local Discord: no route for %s %s", request.method, request.path)
        raise ApiError(404, 0, "404: Not Found")

    # Gateway ---------------------------------------------------------------------------------
    async def gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        transport = request.transport
        # uvloop's transports are not asyncio.Transport subclasses, but write alike.
        if transport is None:
            raise ConnectionResetError("the gateway client went away")
        connection = gateway.Connection(
            ws, transport, zlib_stream=request.query.get("compress") == "zlib-stream"
        )
        discord = self.discord
        session: gateway.Session | None = None
        connection.send_op(gateway.HELLO, {"heartbeat_interval": discord.heartbeat_interval_ms})
        try:
            async for frame in ws:
                if frame.type is not WSMsgType.TEXT:
                    continue
                payload = from_json(frame.data)
                op, data = payload.get("op"), payload.get("d")
                if op == gateway.HEARTBEAT:
                    connection.send_op(gateway.HEARTBEAT_ACK, None)
                elif op == gateway.IDENTIFY:
                    session = await discord.identify(connection, data)
                elif op == gateway.RESUME:
                    session = await discord.resume(connection, data)
                elif op == gateway.LOCAL_HANDLED:
                    for input_id in data:
                        discord.handled(int(input_id))
                elif op == gateway.REQUEST_GUILD_MEMBERS and session is not None:
                    session.dispatch("GUILD_MEMBERS_CHUNK", discord.guild_members_chunk(data))
        finally:
            if session is not None:
                discord.disconnected(session, connection)
        return ws


def build_app(discord: LocalDiscord) -> web.Application:
    app = web.Application(client_max_size=64 * 1024 * 1024)
    api = Api(discord)
    r = app.router
    r.add_get("/", api.gateway)
    # A fixed version (discord.py speaks v10 only) lets aiohttp find a route by its path's
    # leading parts instead of matching every route's pattern in turn.
    base = "/api/v10"
    r.add_get(f"{base}/users/@me", route(api.me))
    r.add_get(f"{base}/oauth2/applications/@me", route(api.application))
    r.add_get(f"{base}/gateway", route(api.gateway_bot))
    r.add_get(f"{base}/gateway/bot", route(api.gateway_bot))
    r.add_post(f"{base}/users/@me/channels", route(api.open_dm))
    r.add_get(f"{base}/users/{{user_id}}", route(api.get_user))
    r.add_get(f"{base}/channels/{{channel_id}}", route(api.get_channel))
    r.add_post(f"{base}/channels/{{channel_id}}/messages", route(api.create_message))
    r.add_post(f"{base}/channels/{{channel_id}}/typing", route(api.typing))
    r.add_get(f"{base}/channels/{{channel_id}}/messages/{{message_id}}", route(api.get_message))
    r.add_patch(f"{base}/channels/{{channel_id}}/messages/{{message_id}}", route(api.edit_message))
    r.add_delete(
        f"{base}/channels/{{channel_id}}/messages/{{message_id}}", route(api.delete_message)
    )
    reaction = f"{base}/channels/{{channel_id}}/messages/{{message_id}}/reactions/{{emoji}}/@me"
    r.add_put(reaction, route(api.add_reaction))
    r.add_delete(reaction, route(api.remove_reaction))
    r.add_get(f"{base}/guilds/{{guild_id}}/members/{{user_id}}", route(api.get_member))
    commands = f"{base}/applications/{{application_id}}/commands"
    guild_commands = f"{base}/applications/{{application_id}}/guilds/{{guild_id}}/commands"
    for path in (commands, guild_commands):
        r.add_put(path, route(api.put_commands))
        r.add_get(path, route(api.get_commands))
    r.add_post(
        f"{base}/interactions/{{interaction_id}}/{{token}}/callback",
        route(api.callback, auth=False),
    )
    webhook = f"{base}/webhooks/{{application_id}}/{{token}}"
    r.add_post(webhook, route(api.follow_up, auth=False))
    r.add_get(f"{webhook}/messages/{{message_id}}", route(api.get_webhook_message, auth=False))
    r.add_patch(f"{webhook}/messages/{{message_id}}", route(api.edit_webhook_message, auth=False))
    r.add_delete(
        f"{webhook}/messages/{{message_id}}", route(api.delete_webhook_message, auth=False)
    )
    r.add_post("/_local/handled", route(api.handled))
    r.add_route("*", "/{tail:.*}", route(api.unknown))
    return app
