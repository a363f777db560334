"""Events and their programme sessions."""

from __future__ import annotations

from django.contrib import admin

from registration.models import Event, Session


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("name", "starts_on", "ends_on", "host_city", "is_active", "is_demo")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [SessionInline]
