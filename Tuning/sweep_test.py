#!/usr/bin/env python3
"""Offline checks of Tuning/sweep.py: argument handling, the verdict, and the chart
written from a fake result set (no server is started). Run: python3 Tuning/sweep_test.py"""
import json
import os
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ElementTree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sweep  # noqa: E402


def result(headline, errors=None, fatal=None):
    return {"headline": headline, "headlineName": "operations/s", "errors": errors or {}, "fatal": fatal}


class SweepTests(unittest.TestCase):
    def test_arguments(self):
        args = sweep.parse_arguments(["--shards", "1,2,4", "--ring-entries", "128", "--", "--clients", "20"])
        self.assertEqual(args.shards, [1, 2, 4])
        self.assertEqual(args.ring_entries, [128])
        self.assertEqual(args.passthrough, ["--clients", "20"])
        self.assertEqual(args.name, "load-sweep-mix")
        for bad in (["--shards", "0"], ["--ring-entries", "x"], ["--rounds", "0"], ["--workload", "nosuch"]):
            with self.assertRaises(SystemExit):
                sweep.parse_arguments(bad)

    def test_winner_is_the_best_error_free_setting(self):
        runs = {(1, 64): [result(100), result(110)], (2, 64): [result(500), result(900, {"invalid FETCH": 1})],
                (2, 512): [result(200), result(210)], (1, 512): [result(0, {"timeout": 2}, "nothing measured")]}
        rows, winner = sweep.summarize("mix", runs)
        self.assertEqual((winner["shards"], winner["ringEntries"]), (2, 512))
        self.assertEqual(winner["median"], 205)
        self.assertIsNone(next(r for r in rows if r["shards"] == 1 and r["ringEntries"] == 512)["median"])

    def test_lower_is_better_for_latency_and_memory(self):
        runs = {(1, 64): [result(3.0)], (2, 64): [result(1.5)]}
        _, winner = sweep.summarize("idle-fanout", runs)
        self.assertEqual(winner["shards"], 2)
        _, winner = sweep.summarize("mix", runs)
        self.assertEqual(winner["shards"], 1)

    def test_no_winner_without_clean_runs(self):
        _, winner = sweep.summarize("mix", {(1, 64): [result(0, fatal="login failed")]})
        self.assertIsNone(winner)
        self.assertIn("no winner", sweep.verdict("mix", winner))

    def test_fake_results_write_table_and_chart(self):
        entries = [{"shards": s, "ringEntries": r, "result": result(100 * s + r)} for s in (1, 2) for r in (64, 512)]
        with tempfile.TemporaryDirectory() as directory:
            fake = os.path.join(directory, "fake.json")
            with open(fake, "w") as f:
                json.dump(entries, f)
            completed = subprocess.run([sys.executable, sweep.__file__, "--fake-results", fake, "--out", directory],
                                       capture_output=True, text=True)
            self.assertEqual(completed.returncode, 0, completed.stderr)
            self.assertIn("MAILSHARD_SHARDS=2 MAILSHARD_RING_ENTRIES=512", completed.stdout)
            svg = ElementTree.parse(os.path.join(directory, "load-sweep-mix.svg")).getroot()
            bars = [e for e in svg.iter("{http://www.w3.org/2000/svg}rect") if e.find("{http://www.w3.org/2000/svg}title") is not None]
            self.assertEqual(len(bars), 4)
            heights = [float(b.get("height")) for b in bars]
            # Bars in setting order (1/64, 1/512, 2/64, 2/512), heights proportional to values.
            for height, value in zip(heights, [164, 612, 264, 712]):
                self.assertAlmostEqual(height / heights[0], value / 164, places=2)
            with open(os.path.join(directory, "load-sweep-mix.md")) as f:
                self.assertIn("| 2 | 512 | 712.00 |", f.read())


if __name__ == "__main__":
    unittest.main()
