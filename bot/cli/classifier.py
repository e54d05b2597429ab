"""``partybot train | evaluate | classify | models | data``: the classifier's admin commands."""

from __future__ import annotations

import functools
import json
import math
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import click

from bot.classifier.verdict import MIN_READABLE_SYLLABLES, SHORT_TEXT_WORDS, judge, readable
from bot.cli.main import FriendlyGroup, counted, err_console, progress, with_services
from bot.errors import InputError, ModelError
from bot.search.query import is_stopword


def _data_dir(services, data_dir: Path | None) -> Path:  # type: ignore[no-untyped-def]
    return data_dir or (Path(services.settings.training_dir) / "data")


def _keywords(services) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return {t.slug: list(t.keywords) for t in services.taxonomy}


def _model(services, version: str | None):  # type: ignore[no-untyped-def]
    registry = services.models
    if version:
        return registry.load(version)
    model = registry.current()
    if model is None:
        raise ModelError("no active model (train one with: partybot train)")
    return model


def _reclassify(services, console, *, everything: bool = False) -> int:  # type: ignore[no-untyped-def]
    """Classify what the active model has not classified (``everything``: all documents)."""
    from bot.classifier.apply import classify_pending

    model = services.models.current()
    if model is None:
        raise ModelError("no active model (train one with: partybot train)")
    if everything:
        services.documents.forget_classification()
    with progress(console, "{task.description:<36}") as bar:
        task = bar.add_task(
            "classifying documents",
            total=services.documents.count_pending_classification(model.version) or None,
        )
        return classify_pending(
            services.db,
            services.documents,
            model,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )


# --- data ----------------------------------------------------------------------------------


@click.group(cls=FriendlyGroup)
def data() -> None:
    """Check the labelled training data and give lines their fixed split.

    \b
    Example:
      partybot data check
      partybot data split
    """


def _print_counts(summary, slugs: list[str]) -> None:  # type: ignore[no-untyped-def]
    click.echo(f"{'topic':<18} {'train':>6} {'test':>6} {'all':>6}")
    for slug in slugs:
        c = summary.positives[slug]
        click.echo(f"{slug:<18} {c['train']:>6} {c['test']:>6} {c['all']:>6}")
    n = summary.negatives
    click.echo(f"{'(none)':<18} {n['train']:>6} {n['test']:>6} {n['all']:>6}")
    click.echo(f"{counted(summary.examples, 'example')} in {counted(len(summary.files), 'file')}")


@data.command("check")
@click.option(
    "--data", "data_dir", type=click.Path(path_type=Path), help="Folder of *.jsonl files."
)
@with_services
def data_check(services, data_dir: Path | None) -> None:  # type: ignore[no-untyped-def]
    """Validate every line and show positives per topic and negatives, by split.

    Exit code 1 (and the file:line) on the first malformed line.

    \b
    Example:
      partybot data check --data training/data
    """
    from bot.classifier.data import load_examples, summarize

    slugs = services.taxonomy.slugs
    examples = load_examples(_data_dir(services, data_dir), slugs)
    summary = summarize(examples, slugs)
    _print_counts(summary, slugs)
    for low in summary.shortfalls():
        click.echo(f"below the minimum: {low}")


@data.command("split")
@click.option(
    "--data", "data_dir", type=click.Path(path_type=Path), help="Folder of *.jsonl files."
)
@with_services
def data_split(services, data_dir: Path | None) -> None:  # type: ignore[no-untyped-def]
    """Add the fixed "split" (hash of the id, about 20% "test") to lines that lack one.

    Existing splits are never changed; every file is validated before any is rewritten.

    \b
    Example:
      partybot data split
    """
    from bot.classifier.data import assign_splits, load_examples, summarize

    slugs = services.taxonomy.slugs
    directory = _data_dir(services, data_dir)
    for report in assign_splits(directory, slugs):
        click.echo(
            f"{report.path.name}: {report.added} of {counted(report.lines, 'line')} given a split"
        )
    _print_counts(summarize(load_examples(directory, slugs, require_split=True), slugs), slugs)


# --- train ---------------------------------------------------------------------------------

# What bot.classifier.features.build_extractor builds (model.FEATURE_KINDS); spelled out here so
# that `--help` and a usage error do not import numpy.
FEATURE_KINDS = ("syl1", "syl2", "syl3", "char", "syl2+char")


class PositiveFloat(click.ParamType):
    """A finite number above 0: scikit-learn refuses the rest only after the data is loaded."""

    name = "number"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number) or number <= 0:
            self.fail(f"{value!r} is not a finite number above 0", param, ctx)
        return number


@click.command()
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path),
    help="Folder of *.jsonl files (default training/data).",
)
@click.option(
    "--features",
    type=click.Choice(FEATURE_KINDS),
    default=None,
    help="Syllable 1-, 2- or 3-grams, char n-grams, or syl2 and char (default: measured best).",
)
@click.option("--lexicon/--no-lexicon", default=None, help="Taxonomy-keyword features.")
@click.option(
    "--doc-mode",
    type=click.Choice(["whole", "para_max", "blend"]),
    default=None,
    help="How documents are scored.",
)
@click.option(
    "--C", "c_value", type=PositiveFloat(), default=None, help="Inverse regularisation strength."
)
@click.option(
    "--force",
    is_flag=True,
    help="Activate even if the held-out macro-F1 is below the active model's.",
)
@click.option(
    "--no-activate", is_flag=True, help="Store and export the version but keep the active one."
)
@click.option(
    "--no-reclassify", is_flag=True, help="Do not re-classify stored documents after activating."
)
@click.option("--json", "as_json", is_flag=True, help="Print the card as JSON.")
@with_services
def train(  # type: ignore[no-untyped-def]
    services,
    data_dir: Path | None,
    features: str | None,
    lexicon: bool | None,
    doc_mode: str | None,
    c_value: float | None,
    force: bool,
    no_activate: bool,
    no_reclassify: bool,
    as_json: bool,
) -> None:
    """Train a topic model on training/data, store it as a new version and activate it.

    Cross-validates on the train split (thresholds, calibration), fits on all of it, scores
    the held-out split, prints the card, exports models/VERSION.npz + .card.json + .png.
    The new version is not activated when its held-out macro-F1 is below the active
    model's on the same held-out split, unless --force.

    \b
    Example:
      partybot train
      partybot train --features syl3 --no-activate
    """
    from bot.classifier.data import data_files, data_sha256, load_examples, summarize
    from bot.classifier.model import TrainConfig, evaluate
    from bot.classifier.model import train as train_model
    from bot.classifier.report import card_lines, f1_text, write_plot

    slugs = services.taxonomy.slugs
    keywords = _keywords(services)
    files = data_files(_data_dir(services, data_dir))
    examples = load_examples(files, slugs)
    config = TrainConfig()
    for name, value in (
        ("features", features),
        ("lexicon", lexicon),
        ("doc_mode", doc_mode),
        ("C", c_value),
    ):
        if value is not None:
            setattr(config, name, value)
    info = {
        "sha256": data_sha256(files),
        "files": [p.name for p in files],
        "counts": summarize(examples, slugs).as_dict(),
    }
    err = err_console()
    registry = services.models
    version = registry.new_version()
    with progress(err, "{task.description:<36}") as bar:
        task = bar.add_task("training", total=config.folds + 2)

        def tick(stage: str, done: int, total: int) -> None:
            bar.update(
                task, description=stage, advance=1 if done or stage.startswith("fitting") else 0
            )

        model = train_model(
            examples, slugs, keywords, config, data_info=info, progress=tick, version=version
        )
    registry.add(model)
    model_path, card_path = registry.export(model.version)
    png = write_plot(model.card, card_path.with_name(f"{model.version}.png"))
    if as_json:
        click.echo(json.dumps(model.card, ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(card_lines(model.card)))
        click.echo(f"\nexported {model_path}, {card_path.name}, {png.name}")
    new_f1 = model.card.get("test", {}).get("macro_f1")
    active = registry.current()
    # With --json, stdout is the card alone: what happened next goes to stderr (a status line
    # after it made the output no JSON, a tester's).
    say = functools.partial(click.echo, err=as_json)
    if no_activate:
        say(f"stored {model.version} (not activated)")
        return
    old_f1 = None
    if active is not None and not force:
        # Topics the active model tags that the new data has no example of: the new model
        # would never tag them, while its macro-F1, over the topics the held-out split has,
        # can still be higher. A tester's data of two topics scored 1.000 against 0.899 and,
        # activated, took every other topic off every document.
        positives = info["counts"]["positives"]
        lost = [s for s in active.labels if not positives.get(s, {}).get("train", 0)]
        if lost:
            names = ", ".join(lost)
            click.echo(
                f"not activated: the data has no example of {counted(len(lost), 'topic')} the "
                f"active {active.version} tags ({names}); every document would lose them "
                f"(use --force, or partybot models activate {model.version})",
                err=True,
            )
            sys.exit(1)
        test_set = [ex for ex in examples if ex.split == "test"]
        old_f1 = evaluate(active, test_set, keywords)["macro_f1"] if test_set else None
        # Undefined (no held-out split, or no topic in it) compares as 0, as it always did.
        if (new_f1 or 0.0) < (old_f1 or 0.0):
            click.echo(
                f"not activated: held-out macro-F1 {f1_text(new_f1)} is below the active "
                f"{active.version}'s {f1_text(old_f1)} on the same split (use --force, or "
                f"partybot models activate {model.version})",
                err=True,
            )
            sys.exit(1)
    registry.activate(model.version)
    versus = f"; the active {active.version}'s: {f1_text(old_f1)}" if old_f1 is not None else ""
    say(f"activated {model.version} (held-out macro-F1 {f1_text(new_f1)}{versus})")
    if not no_reclassify:
        count = _reclassify(services, err)
        say(f"re-classified {counted(count, 'document')}")


# --- evaluate ------------------------------------------------------------------------------


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--split",
    type=click.Choice(["all", "train", "test"]),
    default="all",
    show_default=True,
    help="Only lines of this split.",
)
@click.option("--version", default=None, help="A stored version instead of the active one.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@with_services
def evaluate(services, file: Path, split: str, version: str | None, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    """Score the model on labelled JSONL lines, beside the keyword-rule and all-positive
    baselines: per-topic P/R/F1, macro-F1, negatives given a topic, topic-pair confusion.

    \b
    Example:
      partybot evaluate training/data/written_extra.jsonl --split test
      partybot evaluate labelled.jsonl --json > scores.json
    """
    from bot.classifier.data import load_examples
    from bot.classifier.model import evaluate as evaluate_model
    from bot.classifier.report import score_table

    examples = load_examples([file], services.taxonomy.slugs)
    if split != "all":
        examples = [ex for ex in examples if ex.split == split]
    if not examples:
        raise InputError(f"no {split} examples", source=str(file))
    model = _model(services, version)
    result = evaluate_model(model, examples, _keywords(services))
    result["version"] = model.version
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"model {model.version} on {counted(len(examples), 'example')} from {file}")
    click.echo("\n".join(score_table(result, model.labels)))
    unseen = [s for s in model.labels if not result["per_topic"].get(s, {}).get("support")]
    if len(examples) < FEW_EXAMPLES or unseen:
        # One example scored macro-F1 1.000 with nothing said (a tester's).
        missing = f"; no example of {', '.join(unseen)}" if unseen else ""
        click.echo(
            f"warning: {counted(len(examples), 'example')}{missing}: the macro-F1 is over the "
            "topics it has, and says little",
            err=True,
        )


FEW_EXAMPLES = 30  # below this many, `evaluate` warns that its scores say little

# --- classify ------------------------------------------------------------------------------


def _read_inputs(path: Path) -> Iterator[tuple[str, str] | InputError]:
    """``(id, text)`` per line of a classify input; a bad line is yielded as its error so the
    rest of the batch is still classified. A file that cannot be opened raises."""
    from bot.corpus.readers import iter_json_lines, open_jsonl

    stdin = str(path) == "-"
    source = "<stdin>" if stdin else str(path)
    handle = sys.stdin.buffer if stdin else open_jsonl(path)
    with handle:
        for entry in iter_json_lines(handle, source=source):
            if isinstance(entry, InputError):
                yield entry
                continue
            number, item = entry
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                yield InputError('expected {"id", "text", "title"?}', source=source, line=number)
                continue
            title = item.get("title")
            text = (
                f"{title}\n\n{item['text']}" if isinstance(title, str) and title else item["text"]
            )
            # A null id is no id: the line's number, not "None" (a tester's).
            given = item.get("id")
            yield str(number if given is None else given), text


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and a.samefile(b))
    except (OSError, RuntimeError):
        return False


@contextmanager
def _output(path: Path) -> Iterator[tuple[IO[str], Callable[[], None]]]:
    """Where results go, and a ``keep`` to call once they are worth keeping.

    A file is written beside the target under a temporary name and renamed onto it only on
    ``keep``: a run that fails (or keeps nothing) leaves an existing file as it was.
    """
    if str(path) == "-":
        yield sys.stdout, lambda: None
        return
    target = str(path)
    if path.is_dir():
        raise InputError("is a folder, expected a file name", source=target)
    parent = path.parent
    if not parent.is_dir():
        raise InputError(f"no such folder {str(parent)!r}", source=target)
    try:
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(f"cannot write ({exc.strerror or exc})", source=target) from exc
    kept = False

    def keep() -> None:
        nonlocal kept
        kept = True

    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yield handle, keep
        if kept:
            try:
                os.chmod(tmp, _file_mode(path))  # mkstemp's 0600 is not what a new file gets
                os.replace(tmp, path)
            except OSError as exc:
                raise InputError(f"cannot write ({exc.strerror or exc})", source=target) from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@click.command()
@click.argument("text", nargs=-1)
@click.option(
    "--input",
    "input_file",
    type=click.Path(path_type=Path),
    help='JSONL file ("-" = stdin), lines {"id","text","title"?}.',
)
@click.option(
    "--output",
    "output_file",
    type=click.Path(path_type=Path),
    default=Path("-"),
    show_default=True,
    help="Where JSONL results go (- = stdout).",
)
@click.option("--version", default=None, help="A stored version instead of the active one.")
@click.option("--json", "as_json", is_flag=True, help="For TEXT: print one JSON object.")
@click.option(
    "--pending",
    is_flag=True,
    help="Classify stored documents the active model has not classified yet (after a crash).",
)
@with_services
def classify(  # type: ignore[no-untyped-def]
    services,
    text: tuple[str, ...],
    input_file: Path | None,
    output_file: Path,
    version: str | None,
    as_json: bool,
    pending: bool,
) -> None:
    """Topics of TEXT (with the terms that drove them), or of every line of a JSONL file.

    Output lines are {"id", "topics": [slugs], "scores": {slug: probability}}; "topics" is
    empty when the text is about none of the topics. A line too short to label (a word or
    two) has "readable": false and no topics; one under eight words, "short": true.

    \b
    Examples:
      partybot classify "Chi bộ tổ chức lễ kết nạp đảng viên mới cho hai quần chúng ưu tú"
      partybot classify --input docs.jsonl --output topics.jsonl
      partybot classify --pending
    """
    if pending:
        if text or input_file:
            raise click.UsageError("--pending takes no TEXT or --input")
        click.echo(f"classified {counted(_reclassify(services, err_console()), 'document')}")
        return
    if bool(text) == bool(input_file):
        raise click.UsageError("give TEXT, --input FILE or --pending (see --help)")
    model = _model(services, version)
    if text:
        from bot.corpus.text import normalize

        joined = normalize(" ".join(text))  # composed, as the chat's /classify reads it
        if not joined.strip():
            raise click.UsageError("nothing to classify: give some text")
        # As the chat's /classify judges it: "Đảng" or "🔥" is too little to label, and
        # the evidence shown is whole words ("luật khai" of "kỷ luật khai trừ" is not).
        search = services.search
        verdict = judge(
            model,
            joined,
            lambda term: not search.straddling(term, joined) and not is_stopword(term),
        )
        if not verdict.readable and verdict.too_short:
            raise InputError(
                "too little Vietnamese text to classify: give a sentence or more "
                f"(at least {MIN_READABLE_SYLLABLES} Vietnamese words)"
            )
        if not verdict.readable:
            raise InputError("no Vietnamese text to classify: give a sentence or a paragraph")
        labels, probs = verdict.topics, verdict.scores
        if as_json:
            payload: dict[str, Any] = {"topics": labels, "scores": probs, "version": model.version}
            payload["explain"] = verdict.terms
            payload["short"] = verdict.short
            click.echo(json.dumps(payload, ensure_ascii=False))
            return
        if verdict.short:
            click.echo(f"(a short text, under {SHORT_TEXT_WORDS} words: only a hint)", err=True)
        if not labels:
            best = max(probs, key=lambda s: probs[s])
            click.echo(f"none (highest: {best} {probs[best]:.2f})")
        for label in labels:
            click.echo(f"{label:<18} {probs[label]:.2f}  ← {', '.join(verdict.terms[label])}")
        return
    assert input_file is not None
    if str(output_file) != "-" and _same_file(input_file, output_file):
        # The results were renamed onto the input, which was lost (a tester's).
        raise click.UsageError("--output is the --input file: write the results elsewhere")
    done = failed = 0
    with _output(output_file) as (out, keep):
        batch: list[tuple[str, str]] = []

        def flush() -> None:
            nonlocal done
            for (doc_id, text), (labels, probs) in zip(
                batch, model.classify([t for _, t in batch]), strict=True
            ):
                line: dict[str, object] = {"id": doc_id, "topics": labels, "scores": probs}
                # As TEXT is judged: "đảng viên" alone got four topics here while `classify
                # "đảng viên"` refused it (a tester's).
                words = [w for w in text.split() if any(c.isalpha() for c in w)]
                if not readable(text):
                    line.update(topics=[], scores={}, readable=False)
                elif len(words) < SHORT_TEXT_WORDS:
                    line["short"] = True
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
            done += len(batch)
            batch.clear()

        for item in _read_inputs(input_file):
            if isinstance(item, InputError):
                failed += 1
                click.echo(f"error: {item}", err=True)
                continue
            batch.append(item)
            if len(batch) >= 512:
                flush()
        flush()
        if done or not failed:  # a run where every line failed keeps the old output
            keep()
    if failed:
        click.echo(f"{counted(done, 'line')} classified, {failed:,} failed", err=True)
        sys.exit(1)


def _file_mode(path: Path) -> int:
    """The mode ``path`` has, or the one a new file gets under the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


# --- models --------------------------------------------------------------------------------


@click.group(cls=FriendlyGroup)
def models() -> None:
    """Stored model versions: list, activate (also to roll back), export, import.

    \b
    Example:
      partybot models list
      partybot models activate 20250101-120000
    """


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per version.")
@with_services
def models_list(services, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    """Every stored version, newest first; * marks the active one.

    \b
    Example:
      partybot models list
    """
    from bot.timeutil import to_local

    registry = services.models
    registry.ensure_default()
    items = registry.list()
    if as_json:
        for item in items:
            click.echo(
                json.dumps(
                    {
                        "version": item.version,
                        "active": item.active,
                        "sha256": item.sha256,
                        "created_at": to_local(item.created_at).isoformat(),  # with its offset
                        "size": item.size,
                        "test_macro_f1": item.test_macro_f1,
                        "cv_macro_f1": item.cv_macro_f1,
                        "topics_known": list(item.topics_known) if item.topics_known else None,
                    }
                )
            )
        return
    if not items:
        click.echo("no models (train one with: partybot train)")
        return
    click.echo(
        f"  {'version':<22} {'created (UTC)':<17} {'test F1':>7} {'CV F1':>7} {'topics':>6} "
        f"{'size':>8}  sha256"
    )
    for item in items:
        mark = "*" if item.active else " "
        f1 = f"{item.test_macro_f1:.3f}" if item.test_macro_f1 is not None else "—"
        cv = f"{item.cv_macro_f1:.3f}" if item.cv_macro_f1 is not None else "—"
        known = "{}/{}".format(*item.topics_known) if item.topics_known else "—"
        click.echo(
            f"{mark} {item.version:<22} {item.created_at:%Y-%m-%d %H:%M}  {f1:>7} {cv:>7} "
            f"{known:>6} "
            f"{item.size / 1e6:>6.2f}MB  {item.sha256[:12]}"
        )


@models.command("activate")
@click.argument("version")
@click.option("--no-reclassify", is_flag=True, help="Do not re-classify stored documents now.")
@with_services
def models_activate(services, version: str, no_reclassify: bool) -> None:  # type: ignore[no-untyped-def]
    """Make VERSION the active model (an older one to roll back) and re-classify documents.

    Running bots switch within seconds, on this machine or any other using the database.

    \b
    Example:
      partybot models activate 20250101-120000
    """
    info = services.models.activate(version)
    f1 = f"{info.test_macro_f1:.3f}" if info.test_macro_f1 is not None else "—"
    click.echo(f"activated {info.version} (held-out macro-F1 {f1})")
    if not no_reclassify:
        click.echo(f"re-classified {counted(_reclassify(services, err_console()), 'document')}")


@models.command("export")
@click.argument("version", required=False)
@click.option(
    "--dir", "directory", type=click.Path(path_type=Path), help="Target folder (default models/)."
)
@click.option("--set-default", is_flag=True, help="Also make it the model a fresh install imports.")
@with_services
def models_export(services, version: str | None, directory: Path | None, set_default: bool) -> None:  # type: ignore[no-untyped-def]
    """Write VERSION (default: the active one) as VERSION.npz + VERSION.card.json.

    \b
    Example:
      partybot models export --dir /tmp/models
    """
    from bot.classifier.registry import DEFAULT_POINTER

    registry = services.models
    version = version or registry.active_version()
    if not version:
        raise ModelError("no active model to export")
    model_path, card_path = registry.export(version, directory)
    click.echo(f"exported {model_path} and {card_path.name}")
    if set_default:
        pointer = model_path.parent / DEFAULT_POINTER
        pointer.write_text(version + "\n", "utf-8")
        # Said, as what every fresh install now imports (it changed silently; a tester's).
        click.echo(f"{pointer} now names {version}: a fresh install imports it")
        taxonomy = {topic.slug for topic in services.taxonomy.topics}
        lost = sorted(taxonomy - set(registry.load(version).labels))
        if lost:
            click.echo(
                f"warning: {version} tags no {', '.join(lost)}: documents of a fresh install "
                "get none of these topics",
                err=True,
            )


@models.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--activate", is_flag=True, help="Make it the active model.")
@with_services
def models_import(services, file: Path, activate: bool) -> None:  # type: ignore[no-untyped-def]
    """Store an exported VERSION.npz (checked against the sha256 in its .card.json).

    \b
    Example:
      partybot models import models/20250101-120000.npz --activate
    """
    stored = {item.version for item in services.models.list()}
    info = services.models.import_file(file, activate=activate)
    # Said as it is: "imported" for a version already stored read as a second copy, and a
    # renamed file as the version its name says (a tester's).
    said = "already stored" if info.version in stored else "imported"
    if info.version in stored and activate:
        said = "already stored, activated"
    note = f" (the file {file.name} holds version {info.version})"
    click.echo(
        f"{said} {info.version}"
        + (" (active)" if info.active and not activate else "")
        + (note if file.name.removesuffix(".npz") != info.version else "")
    )


COMMANDS = [train, evaluate, classify, models, data]
