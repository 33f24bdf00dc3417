"""Slash commands as the Discord client fills them in: only synced commands, only their
options, required ones present, values of the declared types and within the declared ranges."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.localdiscord.errors import LocalDiscordError, UnknownCommand
from bot.localdiscord.model import JSON, Channel, Member, Role, User

#: Synced commands by scope: None is global, otherwise a guild id.
Commands = Mapping[int | None, list[JSON]]


def find_command(commands: Commands, channel: Channel, name: str) -> JSON:
    """The schema of ``/name`` as a member in ``channel`` sees it (the guild's own first)."""
    scopes: list[int | None] = [None] if channel.guild is None else [channel.guild.id, None]
    for scope in scopes:
        for command in commands.get(scope, []):
            if command.get("type", 1) == 1 and command["name"] == name:
                if channel.guild is None and not _usable_in_dms(command):
                    break
                return command
    synced = sorted(
        c["name"]
        for scope in scopes
        for c in commands.get(scope, [])
        if channel.guild is not None or _usable_in_dms(c)
    )
    raise UnknownCommand(name, synced)


def command_data(
    commands: Commands,
    channel: Channel,
    command: str,
    values: Mapping[str, Any],
    *,
    focused: str | None,
) -> JSON:
    """The interaction's ``data`` for ``/command`` (``"settings prefix"`` names a subcommand)
    with ``values`` by option name; ``focused`` is the option being autocompleted."""
    top, *path = command.split()
    schema = find_command(commands, channel, top)
    data: JSON = {"id": schema["id"], "name": top, "type": 1}
    if schema.get("guild_id"):
        data["guild_id"] = schema["guild_id"]
    resolved: JSON = {}
    holder, spec = data, schema
    for sub in path:
        spec = next(
            (o for o in spec.get("options", []) if o["name"] == sub and o["type"] in (1, 2)),
            {},
        )
        if not spec:
            raise LocalDiscordError(f"/{command}: /{top} has no subcommand {sub!r}")
        node: JSON = {"name": sub, "type": spec["type"], "options": []}
        holder.setdefault("options", []).append(node)
        holder = node
    holder["options"] = holder.get("options", []) + _option_values(
        f"/{command}", spec.get("options", []), values, focused, resolved
    )
    if resolved:
        data["resolved"] = resolved
    return data


def _usable_in_dms(command: JSON) -> bool:
    contexts = command.get("contexts")
    if contexts is not None:
        return 1 in contexts or 2 in contexts
    return command.get("dm_permission", True) is not False


_OPTION_TYPES = {3: "text", 4: "a whole number", 5: "true or false", 10: "a number"}


def _option_values(
    where: str,
    specs: list[JSON],
    values: Mapping[str, Any],
    focused: str | None,
    resolved: JSON,
) -> list[JSON]:
    """Options as the Discord client sends them, refusing what its form would refuse."""
    by_name = {spec["name"]: spec for spec in specs if spec["type"] not in (1, 2)}
    unknown = set(values) - set(by_name)
    if unknown:
        has, asked = ", ".join(by_name) or "none", ", ".join(sorted(unknown))
        raise LocalDiscordError(f"{where} has no option {asked} (it has {has})")
    options: list[JSON] = []
    for name, spec in by_name.items():
        if name not in values:
            if spec.get("required") and focused is None:
                raise LocalDiscordError(f"{where} needs its required option {name}")
            continue
        value = values[name]
        if name == focused:
            options.append(
                {"name": name, "type": spec["type"], "value": str(value), "focused": True}
            )
            continue
        options.append(
            {"name": name, "type": spec["type"], "value": _typed(where, spec, value, resolved)}
        )
    return options


def _typed(where: str, spec: JSON, value: Any, resolved: JSON) -> Any:
    kind = spec["type"]
    name = spec["name"]
    try:
        if kind == 3:
            text = str(value)
            if not spec.get("min_length", 0) <= len(text) <= spec.get("max_length", 6000):
                raise ValueError
            if spec.get("choices") and text not in [c["value"] for c in spec["choices"]]:
                raise ValueError
            return text
        if kind in (4, 10):
            number: float = int(value) if kind == 4 else float(value)
            low, high = spec.get("min_value"), spec.get("max_value")
            if (low is not None and number < low) or (high is not None and number > high):
                raise ValueError
            return number
        if kind == 5:
            if isinstance(value, str):
                if value.lower() not in ("true", "false"):
                    raise ValueError
                return value.lower() == "true"
            return bool(value)
        if kind in (6, 9) and isinstance(value, Member | User):
            user = value.user if isinstance(value, Member) else value
            resolved.setdefault("users", {})[str(user.id)] = user.payload()
            if isinstance(value, Member):
                resolved.setdefault("members", {})[str(user.id)] = value.payload(
                    with_user=False, with_permissions=True
                )
            return str(user.id)
        if kind in (7, 8) and isinstance(value, Channel | Role):
            key = "channels" if isinstance(value, Channel) else "roles"
            resolved.setdefault(key, {})[str(value.id)] = value.payload()
            return str(value.id)
    except (TypeError, ValueError):
        pass
    else:
        raise LocalDiscordError(f"{where}: option {name} of type {kind} is not supported here")
    wanted = _OPTION_TYPES.get(kind, f"type {kind}")
    bounds = [
        f"{k}={spec[k]}"
        for k in ("min_value", "max_value", "min_length", "max_length")
        if k in spec
    ]
    raise LocalDiscordError(
        f"Discord would not send {where}: {name}={value!r} is not {wanted}"
        + (f" within {', '.join(bounds)}" if bounds else "")
        + (" from its choices" if spec.get("choices") else "")
    )
