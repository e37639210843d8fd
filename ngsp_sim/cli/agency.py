"""``ngsp-sim agency run KIND``: one simulated agency on its own, speaking its native API over HTTP."""

from __future__ import annotations

import click

from ngsp_sim.cli.common import serve_forever
from ngsp_sim.clock import SystemClock
from ngsp_sim.config import DEFAULT_POPULATION, DEFAULT_SEED
from ngsp_sim.hub.server import Listening
from ngsp_sim.logging import configure_logging
from ngsp_sim.plugins import installed
from ngsp_sim.sim import AgencyContext, Country

__all__ = ["agency"]


class _Kinds(click.Choice[str]):
    """The installed simulators, read when help is shown or a kind is checked (not at import)."""

    def __init__(self) -> None:
        super().__init__([])

    def _kinds(self) -> tuple[str, ...]:
        return tuple(sorted(installed().simulators))

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "KIND"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str:
        self.choices = self._kinds()
        return super().convert(value, param, ctx)


class _Run(click.Command):
    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("KIND (the installed simulated agencies)"):
            formatter.write_text(", ".join(sorted(installed().simulators)))


@click.group()
def agency() -> None:
    """Simulated agencies on their own."""


@agency.command(cls=_Run)
@click.argument("kind", type=_Kinds())
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", type=int, required=True, help="port to listen on; 0 picks a free one")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="seed of the synthetic country")
@click.option("--population", type=int, default=DEFAULT_POPULATION, show_default=True, help="generated citizens")
def run(kind: str, host: str, port: int, seed: int, population: int) -> int:
    """Serve one simulated agency KIND's native API over HTTP.

    It answers GET / with the native paths it serves.
    """
    configure_logging("info")
    simulated = installed().simulators[kind](AgencyContext(Country.generate(seed, population), SystemClock()))
    paths = simulated.native_paths()

    def banner(listening: Listening) -> str:
        url = listening.url
        lines = [f"simulated agency '{kind}' speaking its native API on {url}", "  native paths:"]
        return "\n".join(lines + [f"    {method:<6} {url}{path}" for method, path in paths])

    return serve_forever(simulated.aiohttp_app(), host, port, banner)
