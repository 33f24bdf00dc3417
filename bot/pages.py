"""Views members press: only the member who asked may use them, and they switch themselves
off when they time out. ``Pages`` flips through embeds with Previous/Next and shows ``Page x/y``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord
from discord.ext import commands

from bot.errors import FilmclubError

log = logging.getLogger(__name__)

#: How long buttons stay live after the last press (seconds).
TIMEOUT = 180.0
NOT_YOURS = "Only the member who asked can use these buttons."
APOLOGY = "Sorry, something went wrong with that button. It has been logged."


class OwnedView(discord.ui.View):
    """A view only ``owner_id`` may press; every item is disabled on timeout.

    Set :attr:`message` to the message carrying the view (``send_to`` does) so the timeout
    can edit it.
    """

    def __init__(self, owner_id: int, *, timeout: float | None = TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.message: discord.Message | None = None

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(NOT_YOURS, ephemeral=True)
        return False

    def disable(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button | discord.ui.Select):
                item.disabled = True

    async def on_timeout(self) -> None:
        self.disable()
        if self.message is not None:
            try:
                await self.message.edit(view=self)
            except discord.HTTPException as error:
                log.info("could not disable the buttons of message %s: %s", self.message.id, error)

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        log.error(
            "a %s button failed in guild %s",
            type(self).__name__,
            interaction.guild_id,
            exc_info=error,
        )
        try:
            if interaction.response.is_done():
                await interaction.followup.send(APOLOGY, ephemeral=True)
            else:
                await interaction.response.send_message(APOLOGY, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not apologise for a failed button in guild %s", interaction.guild_id)

    # discord.py runs each press in View._scheduled_task (checks, callback, on_error); wrapping
    # it is the one place that sees every press end, which the bot reports (FilmBot.mark_handled)
    # so the local Discord knows the press is answered without waiting on a clock.
    async def _scheduled_task(
        self, item: discord.ui.Item[Any], interaction: discord.Interaction[Any]
    ) -> None:
        try:
            await super()._scheduled_task(item, interaction)
        finally:
            mark_handled = getattr(interaction.client, "mark_handled", None)
            if mark_handled is not None:
                mark_handled(interaction.id)

    async def send_to(self, ctx: commands.Context[Any], **kwargs: Any) -> discord.Message:
        """Send a message carrying this view and remember it for the timeout."""
        self.message = await ctx.send(view=self, **kwargs)
        return self.message


class Pages(OwnedView):
    """Embeds shown one at a time with Previous/Next; ``Page x/y`` in each footer."""

    def __init__(
        self, pages: Sequence[discord.Embed], owner_id: int, *, timeout: float | None = TIMEOUT
    ) -> None:
        if not pages:
            raise ValueError("Pages needs at least one page")
        super().__init__(owner_id, timeout=timeout)
        self.pages = [self._numbered(page, n, len(pages)) for n, page in enumerate(pages, 1)]
        self.index = 0
        self._update_buttons()

    @staticmethod
    def _numbered(page: discord.Embed, number: int, total: int) -> discord.Embed:
        if total == 1:
            return page
        mark = f"Page {number}/{total}"
        footer = page.footer.text
        return page.copy().set_footer(text=f"{footer} · {mark}" if footer else mark)

    @property
    def current(self) -> discord.Embed:
        return self.pages[self.index]

    def _update_buttons(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index == len(self.pages) - 1

    async def show(self, ctx: commands.Context[Any], **kwargs: Any) -> discord.Message:
        """Send the first page; with more than one, the buttons come too."""
        if len(self.pages) == 1:
            self.stop()
            return await ctx.send(embed=self.current, **kwargs)
        return await self.send_to(ctx, embed=self.current, **kwargs)

    async def _turn(self, interaction: discord.Interaction[Any], step: int) -> None:
        self.index = max(0, min(len(self.pages) - 1, self.index + step))
        self._update_buttons()
        await interaction.response.edit_message(embed=self.current, view=self)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Pages]
    ) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.primary)
    async def next(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Pages]
    ) -> None:
        await self._turn(interaction, +1)


class Another(OwnedView):
    """One result with a button for another (``Pick another``): ``produce(shown)`` makes the
    next message's embed from the ids already shown in this session and returns it with the
    new id, so nothing repeats while the view lives."""

    def __init__(
        self,
        first_id: int,
        produce: Callable[[Sequence[int]], Awaitable[tuple[discord.Embed, int]]],
        owner_id: int,
        *,
        label: str = "Pick another",
        timeout: float | None = TIMEOUT,
    ) -> None:
        super().__init__(owner_id, timeout=timeout)
        self.shown = [first_id]
        self._produce = produce
        self.another.label = label

    @discord.ui.button(label="Pick another", style=discord.ButtonStyle.primary)
    async def another(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Another]
    ) -> None:
        try:
            embed, shown_id = await self._produce(self.shown)
        except FilmclubError as error:  # nothing left to offer: say so, to the presser only
            await interaction.response.send_message(error.user_message, ephemeral=True)
            return
        self.shown.append(shown_id)
        await interaction.response.edit_message(embed=embed, view=self)
