"""The emulator's own rules, without a bot: who a message would ping, Discord's limits, and a
message as text."""

from __future__ import annotations

from bot.localdiscord import limits
from bot.localdiscord.model import Channel, Guild, Message, User
from bot.localdiscord.text import message_text

ALICE = User(100000000000000001, "alice")
BOT = User(100000000000000002, "filmclub", bot=True)
GUILD = Guild(100000000000000003, "Film Club", ALICE)
CHANNEL = Channel(100000000000000004, "general", GUILD)
CONTENT = "@everyone see <@100000000000000001> and <@&100000000000000005>"


def message(allowed: dict[str, object] | None, **extra: object) -> Message:
    return Message(1, CHANNEL, BOT, content=CONTENT, allowed_mentions=allowed, **extra)  # type: ignore[arg-type]


def test_without_allowed_mentions_everything_in_the_content_pings() -> None:
    assert message(None).pings == {"everyone", "user:100000000000000001", "role:100000000000000005"}


def test_allowed_mentions_decide_who_is_pinged() -> None:
    assert message({"parse": []}).pings == set()
    assert message({"parse": ["users"]}).pings == {"user:100000000000000001"}
    assert message({"parse": [], "roles": ["100000000000000005"]}).pings == {
        "role:100000000000000005"
    }
    reply = message({"parse": [], "replied_user": True}, reference_id=7, referenced_author=ALICE)
    assert reply.pings == {"user:100000000000000001"}
    assert message({"parse": []}, reference_id=7, referenced_author=ALICE).pings == set()


def test_discords_limits() -> None:
    assert not limits.message_problems({"content": "x" * 2000})
    assert limits.message_problems({"content": "x" * 2001}).errors == {
        "content": {
            "_errors": [
                {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}
            ]
        }
    }
    fields = [{"name": "n", "value": "v"}] * 26
    assert (
        "fields" in limits.message_problems({"embeds": [{"fields": fields}]}).errors["embeds"]["0"]
    )
    too_big = [{"description": "d" * 4000}, {"description": "d" * 2001}]
    assert limits.message_problems({"embeds": too_big})
    buttons = [{"type": 2, "style": 1, "label": "x", "custom_id": "same"}] * 2
    assert limits.message_problems({"components": [{"type": 1, "components": buttons}]})
    assert limits.is_empty({"content": "", "embeds": []})
    assert limits.choice_problems([{"name": "n", "value": "v"}] * 26)
    assert limits.choice_problems([{"name": "n" * 101, "value": "v"}])
    assert limits.command_problems([{"name": "Review", "description": "d"}])
    assert limits.command_problems([{"name": "review", "description": "d" * 101}])
    optional_first = [
        {"name": "a", "description": "d", "type": 3},
        {"name": "b", "description": "d", "type": 3, "required": True},
    ]
    assert limits.command_problems([{"name": "x", "description": "d", "options": optional_first}])
    assert not limits.command_problems([{"name": "review", "description": "A card."}])


def test_a_message_as_text() -> None:
    embed = {
        "title": "Heat (1995)",
        "description": "Crime Thriller · Neo-Noir",
        "fields": [
            {"name": "Director", "value": "Michael Mann"},
            {"name": "Cast", "value": "Al\nBob"},
        ],
        "footer": {"text": "Page 1/2"},
    }
    buttons = [
        {"type": 2, "style": 2, "label": "Previous", "custom_id": "p", "disabled": True},
        {"type": 2, "style": 1, "label": "Next", "custom_id": "n"},
    ]
    shown = Message(1, CHANNEL, BOT, "Here:", [embed], [{"type": 1, "components": buttons}])
    assert message_text(shown).splitlines() == [
        "Here:",
        "│ Heat (1995)",
        "│ Crime Thriller · Neo-Noir",
        "│ Director: Michael Mann",
        "│ Cast",
        "│   Al",
        "│   Bob",
        "│ — Page 1/2",
        "[Previous (disabled)] [Next]",
    ]
