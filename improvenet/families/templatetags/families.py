"""Template tags of the family pages' staff links."""

from django import template

from improvenet.families.access import may_handle_requests

register = template.Library()


@register.simple_tag
def may_handle_opt_outs(user, access) -> bool:
    """Whether the cluster home links the opt-out requests: for the lead, network admins and the data team."""
    return may_handle_requests(user, access)
