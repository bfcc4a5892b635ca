"""Template helpers for trainee pages: the signed-in trainee's certificates."""

from django import template

from learning.reports import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def my_certificates(context):
    request = context.get("request")
    return selectors.my_certificates(user=getattr(request, "user", None))


@register.simple_tag(takes_context=True)
def class_next_steps(context, quiz):
    """What the signed-in trainee still needs for 结业 in the class of this exam (the result page).

    None when the quiz belongs to no class or the trainee is not enrolled in it.
    """
    request = context.get("request")
    class_id = getattr(quiz, "training_class_id", None)
    if request is None or not class_id:
        return None
    return selectors.completion_steps(user=request.user, training_class_id=class_id)
