"""The figures of triage on a labelled set (JSON lines: text, unit, staff, category)."""
import json
from dataclasses import dataclass


@dataclass
class Report:
    total: int = 0
    unit_named: int = 0
    unit_right: int = 0
    staff_named: int = 0
    staff_right: int = 0
    category_total: int = 0
    category_right: int = 0
    no_unit: int = 0
    no_unit_routed: int = 0
    routed: int = 0
    routed_right: int = 0
    routed_of_named: int = 0

    @staticmethod
    def share(part, whole):
        return part / whole if whole else 0.0

    @property
    def unit_accuracy(self):
        return self.share(self.unit_right, self.unit_named)

    @property
    def staff_accuracy(self):
        return self.share(self.staff_right, self.staff_named)

    @property
    def category_accuracy(self):
        return self.share(self.category_right, self.category_total)

    @property
    def routing_precision(self):
        return self.share(self.routed_right, self.routed)

    @property
    def routed_share(self):
        """The share of texts naming a unit that were routed automatically."""
        return self.share(self.routed_of_named, self.unit_named)


def evaluate(path, model=None):
    from feedback.triage.model import current_model
    from feedback.triage.services import current_thresholds, suggest

    model = model or current_model(train_if_missing=True)
    thresholds = current_thresholds()
    report = Report()
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            item = json.loads(line)
            result = suggest(item["text"], hint_unit_code=item.get("unit_hint"), model=model)
            report.total += 1
            routed = result.auto_route(thresholds)
            # Routing is right when the unit is, and the staff member routed with it (if any) too.
            staff_routed = result.staff.value if result.staff.confidence >= thresholds["staff"] else None
            if item.get("unit"):
                report.unit_named += 1
                report.unit_right += result.unit.value == item["unit"]
                report.routed_of_named += routed
            else:
                report.no_unit += 1
                report.no_unit_routed += routed
            if item.get("staff"):
                report.staff_named += 1
                report.staff_right += result.staff.value == item["staff"]
            if item.get("category"):
                report.category_total += 1
                report.category_right += result.category.value == item["category"]
            if routed:
                report.routed += 1
                report.routed_right += (result.unit.value == item.get("unit")
                                        and staff_routed in (None, item.get("staff")))
    return report


def format_report(report):
    def pct(value):
        return f"{100 * value:5.1f}%"

    return "\n".join([
        f"Văn bản: {report.total} (nêu đơn vị: {report.unit_named}, không nêu: {report.no_unit})",
        f"Đơn vị đúng (khi văn bản nêu):   {pct(report.unit_accuracy)}  ({report.unit_right}/{report.unit_named})",
        f"Cán bộ đúng (khi văn bản nêu):   {pct(report.staff_accuracy)}  ({report.staff_right}/{report.staff_named})",
        f"Loại phản ánh đúng:              {pct(report.category_accuracy)}  "
        f"({report.category_right}/{report.category_total})",
        f"Tự động phân luồng (nêu đơn vị): {pct(report.routed_share)}  ({report.routed_of_named}/{report.unit_named})",
        f"Độ chính xác khi tự động:        {pct(report.routing_precision)}  ({report.routed_right}/{report.routed})",
        f"Không nêu đơn vị mà tự động:     {report.no_unit_routed}",
    ])
