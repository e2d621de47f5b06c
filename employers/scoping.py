"""Admin mixin that limits an HR manager to their own companies' objects (ASVS V8.2.2).

The changelist shows only their rows; an object of another company is a 404 on its change,
history and delete pages (get_object), and has_*_permission(obj) says no for it as well, so that
nothing built on those checks (inlines, actions, related popups) reaches it.
"""

from django.http import Http404

from .selectors import employer_scope, is_employer_manager, scoped


class EmployerScopedAdminMixin:
    # The path from the model to its Policyholder, as in a queryset filter ("pk" for the model).
    policyholder_path: str = "contract__policyholder"

    def get_queryset(self, request):
        return self.scope_queryset(super().get_queryset(request), request)

    def scope_queryset(self, queryset, request):
        return scoped(queryset, request.user, self.policyholder_path)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and is_employer_manager(request.user):
            # Not "does not exist" with a redirect: the same 404 whether it exists or not.
            raise Http404
        return obj

    def policyholder_id_of(self, obj) -> int | None:
        if self.policyholder_path == "pk":
            return obj.pk
        *hops, last = self.policyholder_path.split("__")
        for hop in hops:
            obj = getattr(obj, hop, None)
            if obj is None:
                return None
        return getattr(obj, f"{last}_id", None)

    def in_scope(self, request, obj) -> bool:
        if obj is None:
            return True
        scope = employer_scope(request.user)
        return scope is None or self.policyholder_id_of(obj) in scope

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.in_scope(request, obj)
