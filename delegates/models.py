"""People and places that stay the same from one event to the next."""

from __future__ import annotations

import unicodedata
import uuid

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from delegates.fields import EncryptedDateField, EncryptedTextField

NAME_MAX_LENGTH = 200


def fold_for_search(text: str) -> str:
    """Lower case without accents ("Ñúñez" -> "nunez"); other scripts stay as they are."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Hangul syllables decompose into jamo under NFKD: put them back together.
    return unicodedata.normalize("NFC", stripped)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A login. Email is the login name; the person behind it is a `Delegate`."""

    username = None
    email = models.EmailField(_("email address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email


class Region(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Membership(models.TextChoices):
    FULL = "full", _("Full member")
    ASSOCIATE = "associate", _("Associate member")
    NON_MEMBER = "non_member", _("Non-member")
    SISTER_CITY = "sister_city", _("Sister city")
    PARTNER = "partner", _("Partner")


MEMBERSHIPS_WITH_AUTOMATIC_CONFIRMATION = {Membership.FULL, Membership.ASSOCIATE}


class MemberCity(models.Model):
    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Stable identifier used by imports, e.g. kr-seongnam."),
    )
    name_en = models.CharField(_("name in English"), max_length=NAME_MAX_LENGTH)
    name_local = models.CharField(
        _("name in the local script"), max_length=NAME_MAX_LENGTH, blank=True
    )
    country = CountryField(_("country"))
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="cities", verbose_name=_("region")
    )
    membership = models.CharField(
        _("membership"), max_length=20, choices=Membership.choices, default=Membership.FULL
    )
    is_executive_committee = models.BooleanField(_("Executive Committee member"), default=False)
    delegation_quota = models.PositiveSmallIntegerField(
        _("delegation quota"),
        default=3,
        help_text=_("How many delegates of this city hold a place at once."),
    )
    focal_point_name = models.CharField(_("focal point"), max_length=NAME_MAX_LENGTH, blank=True)
    focal_point_email = models.EmailField(_("focal point email"), blank=True)
    focal_point_phone = models.CharField(_("focal point phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Created by seed_demo; not a real record.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(verbose_name=_("member city change"))

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("member city")
        verbose_name_plural = _("member cities")

    def __str__(self) -> str:
        return self.name_en

    @property
    def confirms_within_quota(self) -> bool:
        return self.membership in MEMBERSHIPS_WITH_AUTOMATIC_CONFIRMATION


class Honorific(models.TextChoices):
    NONE = "", _("(none)")
    MR = "mr", _("Mr")
    MS = "ms", _("Ms")
    MX = "mx", _("Mx")
    DR = "dr", _("Dr")
    PROF = "prof", _("Prof.")
    HE = "he", _("H.E.")
    HON = "hon", _("Hon.")


class Diet(models.TextChoices):
    NONE = "", _("No special diet")
    VEGETARIAN = "vegetarian", _("Vegetarian")
    VEGAN = "vegan", _("Vegan")
    HALAL = "halal", _("Halal")
    KOSHER = "kosher", _("Kosher")
    GLUTEN_FREE = "gluten_free", _("Gluten-free")
    OTHER = "other", _("Other (please describe)")


class Language(models.TextChoices):
    EN = "en", "English"
    KO = "ko", "한국어"


def photo_upload_path(instance: Delegate, filename: str) -> str:
    # Never the uploaded name: it is the person's text and may say anything.
    return f"photos/{uuid.uuid4().hex}.jpg"


# Encrypted at rest, kept out of the change history and the lists, and logged when shown.
PASSPORT_FIELDS = (
    "passport_name",
    "passport_number",
    "passport_nationality",
    "passport_date_of_birth",
    "passport_expiry",
)


class Delegate(models.Model):
    """A person who attends, with or without a login of their own."""

    user = models.OneToOneField(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delegate",
        verbose_name=_("login"),
    )
    email = models.EmailField(_("email"))
    honorific = models.CharField(
        _("honorific"), max_length=10, choices=Honorific.choices, blank=True, default=""
    )
    given_name = models.CharField(
        _("given name (Latin letters)"),
        max_length=NAME_MAX_LENGTH,
        validators=[MaxLengthValidator(NAME_MAX_LENGTH)],
    )
    family_name = models.CharField(
        _("family name (Latin letters)"),
        max_length=NAME_MAX_LENGTH,
        validators=[MaxLengthValidator(NAME_MAX_LENGTH)],
    )
    native_name = models.CharField(
        _("name in your own script"), max_length=NAME_MAX_LENGTH, blank=True
    )
    job_title = models.CharField(_("job title"), max_length=NAME_MAX_LENGTH, blank=True)
    organisation = models.CharField(_("organisation"), max_length=NAME_MAX_LENGTH, blank=True)
    city = models.ForeignKey(
        MemberCity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegates",
        verbose_name=_("city"),
    )
    other_city = models.CharField(_("other city"), max_length=NAME_MAX_LENGTH, blank=True)
    other_country = CountryField(_("country of the other city"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    photo = models.ImageField(_("photo"), upload_to=photo_upload_path, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.EN
    )
    # Passport details are encrypted at rest (delegates/encryption.py); the database alone
    # reveals nothing. Nationality is an ISO country code.
    passport_name = EncryptedTextField(_("name in passport"), blank=True, default="")
    passport_number = EncryptedTextField(_("passport number"), blank=True, default="")
    passport_nationality = EncryptedTextField(_("nationality"), blank=True, default="")
    passport_date_of_birth = EncryptedDateField(
        _("date of birth"), blank=True, default=None, null=False
    )
    passport_expiry = EncryptedDateField(
        _("passport expiry date"), blank=True, default=None, null=False
    )
    diet = models.CharField(
        _("dietary needs"), max_length=20, choices=Diet.choices, blank=True, default=""
    )
    dietary_notes = models.CharField(_("dietary details"), max_length=500, blank=True)
    accessibility_needs = models.TextField(_("accessibility needs"), max_length=1000, blank=True)
    # Names, email and city folded to lower case without accents, for search in any script.
    search_text = models.TextField(editable=False, blank=True, default="")
    registered_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    erasure_requested_at = models.DateTimeField(_("erasure requested"), null=True, blank=True)
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(
        excluded_fields=[*PASSPORT_FIELDS, "search_text"],
        verbose_name=_("delegate change"),
    )

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("delegate")
        verbose_name_plural = _("delegates")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="delegate_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(city__isnull=False) | ~models.Q(other_city=""),
                name="delegate_has_a_city",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        parts = [
            self.get_honorific_display() if self.honorific else "",
            self.given_name,
            self.family_name,
        ]
        return " ".join(p for p in parts if p)

    def folded_search_text(self) -> str:
        city = self.city
        parts = [
            self.given_name,
            self.family_name,
            self.native_name,
            self.email,
            self.organisation,
            city.name_en if city else self.other_city,
            city.name_local if city else "",
        ]
        return fold_for_search(" ".join(p for p in parts if p))

    @property
    def latin_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def city_name(self) -> str:
        return self.city.name_en if self.city_id else self.other_city

    @property
    def country(self):
        return self.city.country if self.city_id else self.other_country


class PassportAccessLog(models.Model):
    """Who saw a delegate's passport details in full, when, and where."""

    class Place(models.TextChoices):
        ADMIN = "admin", _("Admin page")
        VISA_LETTER = "visa_letter", _("Visa letter")
        EXPORT = "export", _("Delegate's own data export")
        DELEGATION = "delegation", _("Head of delegation's page")

    delegate = models.ForeignKey(
        Delegate, on_delete=models.CASCADE, related_name="passport_views", verbose_name=_("whose")
    )
    viewer = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("who")
    )
    place = models.CharField(_("where"), max_length=20, choices=Place.choices)
    viewed_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-viewed_at"]
        verbose_name = _("passport access")
        verbose_name_plural = _("passport access log")

    def __str__(self) -> str:
        return f"{self.viewer} saw {self.delegate} ({self.get_place_display()})"


class StaffActionLog(models.Model):
    """What staff did with people's data that the change history does not hold: exports,
    downloads, imports and erasures; and each save from an admin form, with the fields it changed
    and its version in the history. Record ids and field names only, never the data."""

    class Action(models.TextChoices):
        ADDED = "added", _("Added")
        CHANGED = "changed", _("Changed")
        DELETED = "deleted", _("Deleted")
        EXPORTED = "exported", _("Exported")
        DOWNLOADED = "downloaded", _("Downloaded")
        IMPORTED = "imported", _("Imported")
        ERASED = "erased", _("Erased")

    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("staff member"),
    )
    acted_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    # The model's label, e.g. "registration.registration"; the records stay listed after they go.
    model = models.CharField(_("kind of record"), max_length=100)
    object_ids = models.JSONField(_("records"), default=list)
    detail = models.CharField(_("details"), max_length=300, blank=True)
    history_id = models.PositiveBigIntegerField(_("version in the history"), null=True, blank=True)

    class Meta:
        ordering = ["-acted_at"]
        verbose_name = _("staff action")
        verbose_name_plural = _("staff action log")

    def __str__(self) -> str:
        return f"{self.actor} {self.action} {self.model}"
