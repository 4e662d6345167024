"""The page cache's reads of the catalogue's revision on PostgreSQL (web.page_cache.SharedReads):
requests asking together share one read, and none is answered by a read that began before it
asked."""

import asyncio
import threading

from addonhub.web.page_cache import SharedReads


class Revision:
    """A value read in a thread: each read takes the value as it starts, then waits to be let go."""

    def __init__(self):
        self.value = 1
        self.reads = 0
        self.started = threading.Event()
        self.let_go = threading.Event()
        self.let_go.set()

    def read(self) -> int:
        self.reads += 1
        seen = self.value
        self.started.set()
        self.let_go.wait(10)
        return seen


def test_requests_asking_together_share_one_read():
    revision = Revision()
    shared = SharedReads(revision.read)

    async def sixteen_requests():
        return await asyncio.gather(*(shared.value() for _ in range(16)))

    assert asyncio.run(sixteen_requests()) == [1] * 16
    assert revision.reads == 1


def test_a_request_after_a_read_began_gets_a_read_of_its_own():
    revision = Revision()
    shared = SharedReads(revision.read)

    async def before_and_after_a_change():
        revision.let_go.clear()
        earlier = asyncio.ensure_future(shared.value())
        await asyncio.get_running_loop().run_in_executor(None, revision.started.wait, 10)
        revision.value = 2  # committed while the first read is on its way
        later = asyncio.ensure_future(shared.value())
        revision.let_go.set()
        return await earlier, await later

    assert asyncio.run(before_and_after_a_change()) == (1, 2)
    assert revision.reads == 2


def test_a_request_that_goes_away_leaves_the_others_their_read():
    revision = Revision()
    shared = SharedReads(revision.read)

    async def one_cancelled():
        revision.let_go.clear()
        leaving, staying = asyncio.ensure_future(shared.value()), asyncio.ensure_future(shared.value())
        await asyncio.get_running_loop().run_in_executor(None, revision.started.wait, 10)
        leaving.cancel()
        revision.let_go.set()
        return await staying

    assert asyncio.run(one_cancelled()) == 1
