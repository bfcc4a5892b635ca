from django.db import migrations


def create_home(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    Locale = apps.get_model("wagtailcore", "Locale")
    HomePage = apps.get_model("pages", "HomePage")

    # Wagtail's own migration leaves a welcome page at depth 2; ours takes its place.
    Page.objects.filter(depth=2, slug="home", content_type__model="page").delete()
    if HomePage.objects.exists():
        return
    content_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="pages")
    locale = Locale.objects.order_by("id").first()
    root = Page.objects.get(depth=1)
    home = HomePage.objects.create(
        title="党课",
        draft_title="党课",
        slug="home",
        content_type=content_type,
        path=root.path + "0001" if not Page.objects.filter(path=root.path + "0001").exists() else root.path + "0002",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
        live=True,
        intro="<p>高校基层党建在线学习平台：微党课、专题学习、培训班与结业考试。</p>",
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", root_page=home, is_default_site=True, site_name="党课")


def remove_home(apps, schema_editor):
    apps.get_model("pages", "HomePage").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0001_initial"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(create_home, remove_home)]
