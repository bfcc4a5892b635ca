"""The roles (编辑, 审核员, 培训管理员, 学员; 组织部, 组织员) and helpers that data migrations use to grant rights."""

from django.contrib.auth.management import create_permissions

EDITORS = "编辑"
REVIEWERS = "审核员"
TRAINERS = "培训管理员"
TRAINEES = "学员"
# Party organisation work: 组织部 manages every unit; a 组织员 the units of their 院系党委 (their
# scope comes from an OrganiserAssignment, the group only gives the admin screens).
PARTY_OFFICE = "组织部"
ORGANISERS = "组织员"
ALL_ROLES = (EDITORS, REVIEWERS, TRAINERS, TRAINEES, PARTY_OFFICE, ORGANISERS)


def ensure_permissions(apps) -> None:
    """Permissions are normally created after migrate; data migrations need them now."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def grant(apps, group_name: str, app_label: str, codenames: list[str]) -> None:
    """Give a role model permissions (idempotent); used by each app's own data migration."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ensure_permissions(apps)
    group, _ = Group.objects.get_or_create(name=group_name)
    perms = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    missing = set(codenames) - set(perms.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"Unknown permissions for {app_label}: {sorted(missing)}")
    group.permissions.add(*perms)
