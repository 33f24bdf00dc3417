"""Reviews: a film's card with the summary of its reviews (``review``), and members' own
reviews (``addreview``, ``reviews``, ``deletereview``).

A member has at most one review of a film in a server; writing a second asks first, with
buttons only the author can press. Reviews are shown as data: Markdown and mentions inert,
spoilers inside ``||…||``.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import cards, render
from bot.arguments import split_film_and_text, spoiler_flag, unquoted
from bot.client import FilmBot
from bot.context import FilmContext, film_command
from bot.errors import TooLong
from bot.pages import OwnedView, Pages
from bot.scores import format_score
from bot.search import resolve_film
from bot.store import member_reviews
from bot.store.models import Film
from cogs._films import film_option, other_films_note, slash_requires

#: How long the Replace / Keep buttons wait for the author (seconds).
CONFIRM_TIMEOUT = 120.0


def _guild_id(ctx: FilmContext) -> int:
    assert ctx.guild is not None  # the commands are guild_only
    return ctx.guild.id


class ReplaceReview(OwnedView):
    """Asks the author whether their new review replaces the one they wrote before."""

    def __init__(
        self,
        ctx: FilmContext,
        film: Film,
        body: str,
        spoiler: bool,
        timeout: float = CONFIRM_TIMEOUT,
    ) -> None:
        super().__init__(ctx.author.id, timeout=timeout)
        self.ctx = ctx
        self.film = film
        self.body = body
        self.spoiler = spoiler

    async def _finish(self, interaction: discord.Interaction[Any], text: str) -> None:
        self.disable()
        self.stop()
        await interaction.response.edit_message(content=text, view=self)

    @discord.ui.button(label="Replace", style=discord.ButtonStyle.danger)
    async def replace(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[ReplaceReview]
    ) -> None:
        await member_reviews.save_member_review(
            self.ctx.store,
            _guild_id(self.ctx),
            self.film.id,
            self.owner_id,
            self.ctx.author.display_name,
            self.body,
            spoiler=self.spoiler,
            replace=True,
        )
        await self._finish(
            interaction, f"Replaced your review of **{render.shown(self.film.label)}**."
        )

    @discord.ui.button(label="Keep the old one", style=discord.ButtonStyle.secondary)
    async def keep(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[ReplaceReview]
    ) -> None:
        await self._finish(
            interaction, f"Kept your earlier review of **{render.shown(self.film.label)}**."
        )

    async def on_timeout(self) -> None:
        self.disable()
        if self.message is not None:
            try:
                await self.message.edit(
                    content=f"No answer, so your earlier review of "
                    f"**{render.shown(self.film.label)}** stays.",
                    view=self,
                )
            except discord.HTTPException:
                await super().on_timeout()


class Reviews(commands.Cog, name="Reviews"):
    """What a film is and what people thought of it."""

    def __init__(self, bot: FilmBot) -> None:
        self.bot = bot
        #: How long a "replace your review?" question waits for its answer (seconds).
        self.confirm_timeout = CONFIRM_TIMEOUT
        slash_requires(self.addreview, "text")

    # The card ----------------------------------------------------------------------------------
    @film_command(
        "review",
        help="A film's card: genres, director, leading cast, a summary of its reviews and this "
        "server's rating.\n\n"
        "Name the film as you would say it: `Heat`, `heat 1995`, `Heat (1995)`, `tt0113277`. "
        "The summary quotes the catalog's reviews and this server's member reviews, never "
        "their spoilers.",
        usage="<film>",
        example="Heat",
    )
    @film_option()
    async def review(self, ctx: FilmContext, *, film: str) -> None:
        match = await resolve_film(ctx.store, film)
        card = await cards.film_card(ctx.store, match.film, ctx.guild_id, ctx.author.id)
        note = other_films_note(film, match, f"{ctx.text_prefix}review {{film}}")
        await ctx.send(note, embed=render.review_card(card, ctx.text_prefix))

    # Members' reviews: addreview, reviews, deletereview -------------------------------------------
    @film_command(
        "addreview",
        help="Write your review of a film for this server (one per film; a new one replaces "
        "it after you confirm).\n\n"
        f"Up to {member_reviews.MAX_REVIEW_LENGTH:,} characters. Mark spoilers with "
        "`||…||` or `‖…‖`, or the whole review with `--spoiler`. A title of several words "
        'goes in quotes (`"The Dark Knight" …`) unless it is exactly the title.',
        usage="<film> <text>",
        example="Heat A heist film that is really about two lonely men.",
    )
    @commands.guild_only()
    @film_option()
    @app_commands.describe(
        text="Your review; mark spoilers with ||…||",
        spoiler="The whole review gives the plot away",
    )
    async def addreview(
        self, ctx: FilmContext, *, film: str, text: str = "", spoiler: bool = False
    ) -> None:
        guild_id = _guild_id(ctx)
        if text:
            query = film
            body, flagged = spoiler_flag(text)
        else:
            line, flagged = spoiler_flag(film)
            split = await split_film_and_text(ctx.store, line)
            if split is None:
                await ctx.send(
                    "Which film is that? Put the title in quotes: "
                    f'`{ctx.text_prefix}addreview "The Dark Knight" Your review`.'
                )
                return
            query, body = split.film, split.text
        if not body.strip():
            raise commands.UserInputError("no review text")
        if len(body) > member_reviews.MAX_REVIEW_LENGTH:
            raise TooLong("A review", member_reviews.MAX_REVIEW_LENGTH)
        match = await resolve_film(ctx.store, unquoted(query))
        spoiler = spoiler or flagged
        saved = await member_reviews.save_member_review(
            ctx.store,
            guild_id,
            match.film.id,
            ctx.author.id,
            ctx.author.display_name,
            body,
            spoiler=spoiler,
        )
        label = render.shown(match.film.label)
        if saved == "exists":
            view = ReplaceReview(ctx, match.film, body, spoiler, self.confirm_timeout)
            await view.send_to(
                ctx,
                content=f"You already reviewed **{label}** in this server. "
                "Replace it with this one?",
            )
            return
        marked = " (marked as a spoiler)" if spoiler else ""
        await ctx.send(
            f"Saved your review of **{label}**{marked}. "
            f"`{ctx.text_prefix}reviews {match.film.title}` shows this server's reviews."
        )

    @film_command(
        "reviews",
        help="This server's member reviews of a film, newest first, with each author's rating.",
        usage="<film>",
        example="Heat",
    )
    @commands.guild_only()
    @film_option()
    async def reviews(self, ctx: FilmContext, *, film: str) -> None:
        match = await resolve_film(ctx.store, unquoted(film))
        found = await member_reviews.film_member_reviews(ctx.store, _guild_id(ctx), match.film.id)
        if not found:
            await ctx.send(
                f"Nobody in this server has reviewed **{render.shown(match.film.label)}** yet. "
                f"`{ctx.text_prefix}addreview {match.film.title} …` to be the first."
            )
            return
        shown = [
            render.ReviewView(
                r.author_name,
                None if r.score is None else format_score(r.score),
                r.updated_at,
                r.body,
                r.spoiler,
            )
            for r in found
        ]
        pages = render.review_pages(match.film.label, shown)
        await Pages(pages, ctx.author.id).show(ctx)

    @film_command(
        "deletereview",
        help="Delete your own review of a film in this server.",
        usage="<film>",
        example="Heat",
    )
    @commands.guild_only()
    @film_option()
    async def deletereview(self, ctx: FilmContext, *, film: str) -> None:
        match = await resolve_film(ctx.store, unquoted(film))
        label = render.shown(match.film.label)
        deleted = await member_reviews.delete_member_review(
            ctx.store, _guild_id(ctx), match.film.id, ctx.author.id
        )
        if deleted:
            await ctx.send(f"Deleted your review of **{label}**.")
        else:
            await ctx.send(f"You haven't reviewed **{label}** in this server; nothing to delete.")


async def setup(bot: FilmBot) -> None:
    await bot.add_cog(Reviews(bot))
