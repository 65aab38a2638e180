from django.contrib import admin

from .models import AccountChange, AccountPolicy, RoleAssignment, Unit, User

admin.site.register(Unit)
admin.site.register(User)
admin.site.register(RoleAssignment)
admin.site.register(AccountChange)
admin.site.register(AccountPolicy)
