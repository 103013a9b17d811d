"""`flask triage suggest | evaluate | retrain`."""
import json
import sys

import click
from flask.cli import AppGroup

triage_cli = AppGroup("triage", help="Gợi ý đơn vị, cán bộ và loại phản ánh từ nội dung.")


@triage_cli.command("suggest")
def suggest_command():
    """Read JSON lines {"text": ...} on stdin; write one JSON line per input."""
    from feedback.triage.model import current_model
    from feedback.triage.services import current_thresholds, suggest

    model, thresholds = current_model(train_if_missing=True), current_thresholds()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            item = json.loads(line)
            text = item["text"] if isinstance(item, dict) else None
            if not isinstance(text, str):
                raise ValueError
        except (ValueError, KeyError):
            click.echo(json.dumps({"error": "Mỗi dòng phải là JSON có trường \"text\"."}, ensure_ascii=False))
            continue
        result = suggest(text, hint_unit_code=item.get("unit_hint"), model=model)
        click.echo(json.dumps({
            "unit": result.unit.value, "staff": result.staff.value, "category": result.category.value,
            "confidence": round(result.confidence, 3), "auto_route": result.auto_route(thresholds),
            "candidates": result.as_dict(),
        }, ensure_ascii=False))


@triage_cli.command("evaluate")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def evaluate_command(path):
    """Accuracy per field, the share routed automatically and its precision, on a labelled JSON-lines file."""
    from feedback.triage.evaluation import evaluate, format_report

    click.echo(format_report(evaluate(path)))


@triage_cli.command("retrain")
def retrain_command():
    """Train the category model and the correction memory now."""
    from feedback.triage.jobs import retrain

    result = retrain()
    click.echo(f"Đã huấn luyện lại trên {result['texts']} văn bản ({result['corrections']} chỉnh sửa).")
