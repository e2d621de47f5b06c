from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .selectors import policies_for_user


@login_required
def policy_list(request: HttpRequest) -> HttpResponse:
    policies = list(policies_for_user(request.user))
    return render(request, "policies/policy_list.html", {"policies": policies})


@login_required
def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(policies_for_user(request.user), pk=pk)
    return render(request, "policies/policy_detail.html", {"policy": policy})
