"""StreamField blocks for case studies: one row of an intervention plan, one measured outcome."""

from decimal import Decimal

from wagtail import blocks

PERCENT_UNITS = {"%", "percent", "per cent"}


def format_number(value):
    """A Decimal as people write it: no trailing zeros, thousands separated (1,250 / 82.5 / 0.3)."""
    value = Decimal(value).normalize()
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return f"{value:,f}"


def with_unit(number, unit):
    unit = (unit or "").strip()
    if not unit:
        return number
    if unit in PERCENT_UNITS:
        return f"{number}%"
    return f"{number} {unit}"


class InterventionBlock(blocks.StructBlock):
    """One row of an intervention plan, with the columns performance teams ask services to fill in."""

    intervention = blocks.TextBlock(help_text="What will be done.")
    by_when = blocks.CharBlock(label="By when", max_length=200)
    by_whom = blocks.CharBlock(label="By whom", max_length=200, help_text="A role or team, not a person's name.")
    resource_implications = blocks.TextBlock(required=False)
    main_risk = blocks.TextBlock(label="Most significant risk", required=False)
    contingency = blocks.TextBlock(label="Contingency for that risk", required=False)
    monitoring = blocks.TextBlock(label="How it is monitored", required=False)
    expected_outcome = blocks.TextBlock(label="Expected outcome", required=False)

    class Meta:
        icon = "list-ul"
        label = "Intervention"
        template = "library/blocks/intervention_row.html"


class OutcomeValue(blocks.StructValue):
    """Adds the change (after minus before) and readable figures for templates."""

    @property
    def change(self):
        before, after = self.get("before"), self.get("after")
        if before is None or after is None:
            return None
        return Decimal(after) - Decimal(before)

    @property
    def before_display(self):
        return "" if self.get("before") is None else with_unit(format_number(self["before"]), self.get("unit"))

    @property
    def after_display(self):
        return "" if self.get("after") is None else with_unit(format_number(self["after"]), self.get("unit"))

    @property
    def change_display(self):
        """Signed, with the unit; a change between two percentages is in percentage points."""
        change = self.change
        if change is None:
            return ""
        sign = "+" if change > 0 else "−" if change < 0 else ""
        number = sign + format_number(abs(change))
        unit = (self.get("unit") or "").strip()
        if unit in PERCENT_UNITS:
            return f"{number} percentage point{'' if abs(change) == 1 else 's'}"
        return with_unit(number, unit)


class OutcomeBlock(blocks.StructBlock):
    """A measured result: the figure before the work and after it, over a stated period."""

    metric = blocks.CharBlock(max_length=200, help_text="For example: calls answered within 60 seconds.")
    before = blocks.DecimalBlock(max_digits=14, decimal_places=2)
    after = blocks.DecimalBlock(max_digits=14, decimal_places=2)
    unit = blocks.CharBlock(
        max_length=40, required=False, help_text="For example: %, seconds, calls a month. Leave empty for a count."
    )
    period = blocks.CharBlock(max_length=120, required=False, help_text="For example: Q1 2023 to Q1 2024.")

    class Meta:
        icon = "order"
        label = "Outcome"
        value_class = OutcomeValue
        template = "library/blocks/outcome_row.html"
