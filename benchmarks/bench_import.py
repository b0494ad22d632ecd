"""Issue 5 figures: ingest of synthetic tweets in twarc2 JSONL page form, against plain json.loads.

Run: .venv/bin/python -m benchmarks.bench_import [--quick] [--n N] [--runs R]

The input is what `twarc2 search` writes: one API page per line (100 tweets in `data`, their authors
and the tweets they retweet, quote or reply to in `includes`, `meta`, `__twarc`), generated here from
a seed and cached under benchmarks/.data. The ingest goes end to end into a new log; the baseline is
`json.loads` of each line of the same file, in the same run.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.measure import median, peak_memory_mb, report, timed
from events.ingest.driver import ingest
from events.store import Log

DATA = Path(__file__).resolve().parent / ".data"
PAGE = 100
AUTHORS = 3000
HASHTAGS = 2000
START = datetime(2021, 4, 1, tzinfo=UTC)
FIRST_ID = 1_377_000_000_000_000_000
_VOCABULARY = (
    "the a of to and in is it you that for on was with he as I his they be at one have this from "
    "or had by not word but what some we can out other were all there when up use your how said "
    "an each she which do their time if will way about many then them write would like so these "
    "her long make thing see him two has look more day could go come did number sound no most "
    "people dogs street city tonight news update live thread breaking vote school rain coffee "
    "music game"
)
_WORDS = _VOCABULARY.split()
_SOURCES = ("Twitter for iPhone", "Twitter for Android", "Twitter Web App", "TweetDeck")


class _Generator:
    """Tweets, users and pages drawn from one seeded random stream: the same file for the same seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.users = [self._user(i) for i in range(AUTHORS)]
        self.users_by_id = {user["id"]: user for user in self.users}
        self.tags = [f"topic{i:04d}" for i in range(HASHTAGS)]
        self.next_id = FIRST_ID
        self.moment = START
        self.popular: list[dict[str, Any]] = []  # tweets others retweet, quote and answer

    def _user(self, i: int) -> dict[str, Any]:
        rng = self.rng
        handle = f"user{i:04d}_{rng.choice(_WORDS)}"
        return {
            "id": str(10_000_000 + i * 7919),
            "username": handle,
            "name": f"{handle.title()} {rng.choice(_WORDS).title()}",
            "created_at": "2012-03-04T05:06:07.000Z",
            "description": " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 25))),
            "location": rng.choice(["", "Berlin", "Lagos", "Lima", "Osaka", "Toronto"]),
            "protected": False,
            "verified": rng.random() < 0.02,
            "profile_image_url": f"https://pbs.twimg.com/profile_images/{i}/a_normal.jpg",
            "public_metrics": {
                "followers_count": rng.randrange(100_000),
                "following_count": rng.randrange(5000),
                "tweet_count": rng.randrange(50_000),
                "listed_count": rng.randrange(100),
            },
        }

    def _author(self) -> dict[str, Any]:
        rng = self.rng
        # A few accounts are far more active than the rest, as on the platform.
        if rng.random() < 0.5:
            return self.users[min(int(rng.paretovariate(1.2)) - 1, AUTHORS - 1)]
        return rng.choice(self.users)

    def _tweet(self, author: dict[str, Any], moment: datetime) -> dict[str, Any]:
        rng = self.rng
        self.next_id += rng.randrange(1, 4096)
        id_ = str(self.next_id)
        words = [rng.choice(_WORDS) for _ in range(rng.randint(5, 45))]
        if rng.random() < 0.05:
            words.insert(rng.randrange(len(words)), "&amp;")
        text = " ".join(words)[:230]
        entities: dict[str, list[dict[str, Any]]] = {}
        for _ in range(min(int(rng.paretovariate(1.5)) - 1, 4)):
            tag = self.tags[min(int(rng.paretovariate(1.0)) - 1, HASHTAGS - 1)]
            start = len(text) + 1
            text += f" #{tag}"
            entities.setdefault("hashtags", []).append({"start": start, "end": len(text), "tag": tag})
        if rng.random() < 0.25:
            short = f"https://t.co/{rng.getrandbits(40):010x}"
            start = len(text) + 1
            text += f" {short}"
            entities["urls"] = [
                {
                    "start": start,
                    "end": len(text),
                    "url": short,
                    "expanded_url": f"https://example.org/{rng.choice(_WORDS)}/{rng.randrange(10**6)}",
                    "display_url": "example.org/…",
                }
            ]
        return {
            "id": id_,
            "text": text,
            "author_id": author["id"],
            "conversation_id": id_,
            "created_at": moment.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "lang": "en",
            "possibly_sensitive": False,
            "reply_settings": "everyone",
            "source": rng.choice(_SOURCES),
            "edit_history_tweet_ids": [id_],
            "public_metrics": {
                "retweet_count": rng.randrange(50),
                "reply_count": rng.randrange(10),
                "like_count": rng.randrange(200),
                "quote_count": rng.randrange(5),
            },
            "entities": entities,
        }

    def page(self) -> str:
        """One twarc2 page of PAGE tweets, as one JSON line."""
        rng = self.rng
        data = []
        users: dict[str, dict[str, Any]] = {}
        included: dict[str, dict[str, Any]] = {}
        for _ in range(PAGE):
            self.moment += timedelta(seconds=rng.expovariate(1 / 2.5))
            author = self._author()
            users[author["id"]] = author
            tweet = self._tweet(author, self.moment)
            roll = rng.random()
            if self.popular and roll < 0.30:
                original = rng.choice(self.popular)
                original_author = self.users_by_id[original["author_id"]]
                users[original_author["id"]] = original_author
                included[original["id"]] = original
                if roll < 0.20:  # a retweet: text "RT @x: ...", entities of the original shifted
                    prefix = f"RT @{original_author['username']}: "
                    tweet["text"] = (prefix + original["text"])[:140]
                    tweet["entities"] = {
                        "mentions": [
                            {"start": 3, "end": len(prefix) - 2, "username": original_author["username"]}
                        ]
                    }
                    tweet["referenced_tweets"] = [{"type": "retweeted", "id": original["id"]}]
                elif roll < 0.27:  # a reply
                    handle = original_author["username"]
                    tweet["text"] = f"@{handle} {tweet['text']}"
                    tweet["entities"] = {
                        "mentions": [{"start": 0, "end": len(handle) + 1, "username": handle}]
                    }
                    tweet["referenced_tweets"] = [{"type": "replied_to", "id": original["id"]}]
                    tweet["in_reply_to_user_id"] = original_author["id"]
                    tweet["conversation_id"] = original["conversation_id"]
                else:  # a quote: Twitter appends the link to the quoted tweet
                    short = f"https://t.co/{rng.getrandbits(40):010x}"
                    link = f"https://twitter.com/{original_author['username']}/status/{original['id']}"
                    start = len(tweet["text"]) + 1
                    tweet["text"] += f" {short}"
                    tweet["entities"].setdefault("urls", []).append(
                        {"start": start, "end": len(tweet["text"]), "url": short, "expanded_url": link}
                    )
                    tweet["referenced_tweets"] = [{"type": "quoted", "id": original["id"]}]
            elif rng.random() < 0.05:
                self.popular.append(tweet)
                if len(self.popular) > 500:
                    self.popular.pop(rng.randrange(len(self.popular)))
            data.append(tweet)
        retrieved = self.moment + timedelta(days=30)
        record = {
            "data": data,
            "includes": {"users": list(users.values()), "tweets": list(included.values())},
            "meta": {
                "newest_id": data[-1]["id"],
                "oldest_id": data[0]["id"],
                "result_count": len(data),
                "next_token": f"{rng.getrandbits(64):016x}",
            },
            "__twarc": {
                "url": "https://api.twitter.com/2/tweets/search/all?expansions=author_id&max_results=100",
                "version": "2.14.0",
                "retrieved_at": retrieved.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            },
        }
        return json.dumps(record, ensure_ascii=False)


def build_pages(n: int, *, seed: int = 0) -> Path:
    """A twarc2 JSONL file of `n` tweets (n / 100 pages) under benchmarks/.data, built once."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"twarc2-{n}-{seed}.jsonl"
    if not path.exists():
        partial = path.with_suffix(".partial")
        generator = _Generator(seed)
        with partial.open("w", encoding="utf-8") as out:
            for _ in range(max(n // PAGE, 1)):
                out.write(generator.page() + "\n")
        partial.rename(path)
    return path


def _ingest_once(pages: Path, workdir: Path) -> tuple[int, int]:
    target = workdir / "ingest.log"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with Log.open(target, create=True) as log:
        result = ingest(log, [str(pages)], format_name="twitter-v2")
    return result.found, result.new


def _loads_once(pages: Path) -> int:
    count = 0
    with pages.open(encoding="utf-8") as lines:
        for line in lines:
            count += len(json.loads(line)["data"])
    return count


def main(argv: list[str] | None = None) -> None:
    """Measure and print the issue 5 figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000, help="tweets in the synthetic file")
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each timing")
    parser.add_argument("--quick", action="store_true", help="100,000 tweets, one run")
    args = parser.parse_args(argv)
    n, runs = (100_000, 1) if args.quick else (args.n, args.runs)

    print(f"building {n:,} synthetic tweets in twarc2 page form (cached in benchmarks/.data)...")
    pages = build_pages(n)
    tweets = _loads_once(pages)
    workdir = Path(tempfile.mkdtemp(prefix="replay-bench-import-"))
    try:
        counts: list[tuple[int, int]] = []
        ingest_times = timed(lambda: counts.append(_ingest_once(pages, workdir)), runs)
        loads_times = timed(lambda: _loads_once(pages), runs)
        code = (
            "from events.ingest.driver import ingest\nfrom events.store import Log\n"
            f"log = Log.open({str(workdir / 'memory.log')!r}, create=True)\n"
            f"report = ingest(log, [{str(pages)!r}], format_name='twitter-v2')\n"
            "result = {'new': report.new}\n"
        )
        peak_mb, _ = peak_memory_mb(code)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    found, new = counts[0]
    ingest_rate = tweets / median(ingest_times)
    loads_rate = tweets / median(loads_times)
    size_mb = pages.stat().st_size / 2**20
    report(
        f"Import, {tweets:,} synthetic tweets in twarc2 pages ({size_mb:,.0f} MB; medians of {runs} runs)",
        [
            ("ingest into a new log", f"{ingest_rate:,.0f} tweets/s", f"{found:,} events found, {new:,} new"),
            ("baseline: json.loads per line", f"{loads_rate:,.0f} tweets/s", "same file, same run"),
            ("ingest / baseline", f"{ingest_rate / loads_rate:.2f}x", "ratio in the same run"),
            ("peak memory during ingest", f"{peak_mb:,.0f} MB", "target < 250 MB"),
        ],
    )


if __name__ == "__main__":
    main()
