from django.contrib import admin

from .models import Document, DocumentType, RegisterSeries

admin.site.register(DocumentType)
admin.site.register(RegisterSeries)
admin.site.register(Document)
