"""Template filters of the survey pages."""

from django import template

from chiso.web.templatetags.vn import vn_percent

register = template.Library()


@register.filter
def share_pct(value, decimals=1):
    """A share in [0, 1] as a Vietnamese percentage: 0.8266 → 82,7 %; None → –."""
    if value is None:
        return "–"
    return vn_percent(float(value) * 100, decimals)
