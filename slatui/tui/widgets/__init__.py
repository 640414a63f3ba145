"""Widgets and cell formatting shared by the lead screens (Leads, Queue, lead detail) and their forms."""
