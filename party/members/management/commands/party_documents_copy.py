"""`manage.py party_documents_copy`: copy the documents of members' paths from the local disk
(PARTY_DOCUMENTS_ROOT, or --source-root) to the storage PARTY_DOCUMENTS_STORAGE now names (a
private S3 bucket). Idempotent and resumable, verifies size and SHA-256, prints a line per file;
--dry-run writes nothing (party/members/documents_copy.py, docs/party.md)."""

from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.management.base import BaseCommand, CommandError

from party.members.documents_copy import Outcome, copy_documents, document_names, same_place
from party.organisation.documents import private_storage


class Command(BaseCommand):
    help = (
        "把党员发展材料从本地磁盘复制到 PARTY_DOCUMENTS_STORAGE 指定的存储（S3）；可重复运行，"
        "逐个核对大小和 SHA-256。Copy member documents from the local disk to the storage "
        "PARTY_DOCUMENTS_STORAGE names (S3); safe to re-run, each file verified by size and SHA-256."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source-root",
            type=Path,
            default=None,
            help="本地材料目录（默认 PARTY_DOCUMENTS_ROOT）。The local folder (default "
            "PARTY_DOCUMENTS_ROOT).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="只列出将复制的文件，不写入。List what would be copied; write nothing.",
        )

    def handle(self, *args, source_root=None, dry_run=False, **options):
        root = Path(source_root or settings.PARTY_DOCUMENTS_ROOT)
        if not root.is_dir():
            raise CommandError(f"本地材料目录不存在。The local folder does not exist: {root}")
        source = FileSystemStorage(location=root)
        destination = private_storage()
        if same_place(source, destination):
            raise CommandError(
                "PARTY_DOCUMENTS_STORAGE 仍是本地磁盘：先设置 PARTY_DOCUMENTS_STORAGE=s3 及其存储桶。"
                "PARTY_DOCUMENTS_STORAGE is still the local disk: set PARTY_DOCUMENTS_STORAGE=s3 "
                "and its bucket first."
            )
        names = document_names()
        total = len(names)
        where = type(destination).__name__
        self.stdout.write(
            f"{'dry run: ' if dry_run else ''}{total} document(s) from {root} to {where}"
        )
        counts = Counter()
        for number, result in enumerate(
            copy_documents(source=source, destination=destination, names=names, dry_run=dry_run),
            start=1,
        ):
            counts[result.outcome] += 1
            size = (
                f" ({result.size:,} bytes, sha256 {result.sha256[:12]})"
                if result.size is not None
                else ""
            )
            detail = f": {result.detail}" if result.detail else ""
            line = f"[{number}/{total}] {result.outcome} {result.name}{size}{detail}"
            failed = result.outcome in Outcome.FAILED_OUTCOMES
            self.stdout.write(self.style.ERROR(line) if failed else line)
        summary = ", ".join(
            f"{outcome} {counts[outcome]}"
            for outcome in (
                Outcome.WOULD_COPY if dry_run else Outcome.COPIED,
                Outcome.PRESENT,
                Outcome.MISSING,
                Outcome.CONFLICT,
            )
        )
        self.stdout.write(summary)
        failures = sum(counts[outcome] for outcome in Outcome.FAILED_OUTCOMES)
        if failures:
            raise CommandError(
                f"{failures} 个文件未复制（缺失或冲突），见上。{failures} file(s) not copied "
                "(missing or conflicting), listed above; nothing was overwritten."
            )
