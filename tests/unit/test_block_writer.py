"""The thread that stores an import's blocks: order, errors, and giving up."""

from __future__ import annotations

import threading

import pytest

from sitroom.store.block_writer import BlockWriter


def test_blocks_are_stored_in_order_by_close() -> None:
    stored: list[int] = []
    writer: BlockWriter[int] = BlockWriter(stored.append, name="test-writer")
    for block in range(20):
        writer.write(block)
    writer.close()
    assert stored == list(range(20))


def test_an_error_in_a_block_reaches_the_caller_and_later_blocks_are_not_stored() -> None:
    stored: list[int] = []

    def store(block: int) -> None:
        if block == 3:
            raise ValueError("block 3 is bad")
        stored.append(block)

    writer: BlockWriter[int] = BlockWriter(store, name="test-writer")
    with pytest.raises(ValueError, match="block 3 is bad"):
        for block in range(10):
            writer.write(block)
        writer.close()
    assert stored == [0, 1, 2]


def test_abandon_drops_the_waiting_blocks_and_lets_the_current_one_finish() -> None:
    taken, release = threading.Event(), threading.Event()
    stored: list[int] = []

    def store(block: int) -> None:
        taken.set()
        assert release.wait(timeout=10)
        stored.append(block)

    writer: BlockWriter[int] = BlockWriter(store, name="test-writer")
    writer.write(0)
    assert taken.wait(timeout=10)  # block 0 is being stored
    writer.write(1)
    writer.write(2)  # both wait in the queue
    threading.Timer(0.2, release.set).start()
    writer.abandon()
    assert stored == [0]
