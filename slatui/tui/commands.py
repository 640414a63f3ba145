"""The command palette (ctrl+p): every action of the app under a namespaced name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

# (name, help, app action). Screen actions run through `run_on`, which opens the screen first.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("go: dashboard", "Active agreements at a glance (1)", "go('dashboard')"),
    ("go: queue", "The day's work plan: leads owed an attempt, soonest due first (2)", "go('queue')"),
    ("go: leads", "Every lead, filterable (3)", "go('leads')"),
    ("go: agreements", "The SLAs and this month's verdict (4)", "go('agreements')"),
    ("go: charts", "Volume, speed and depth charts (5)", "go('charts')"),
    ("go: calculator", "Leads-needed calculator and nines helper (6)", "go('calculator')"),
    ("go: scorecard", "Months × targets, met or missed, for an agreement's life (s on Dashboard, o on Charts)",
     "scorecard"),
    ("agreement: new", "Write a new agreement (n on Agreements)", "run_on('agreements', 'new')"),
    ("agreement: edit", "Edit the selected agreement (e on Agreements)", "run_on('agreements', 'edit')"),
    ("agreement: delete", "Delete the selected agreement (x on Agreements)", "run_on('agreements', 'delete')"),
    ("lead: new handoff", "Log a lead marketing handed off (n on Leads)", "run_on('leads', 'new')"),
    ("lead: log attempt", "Log a follow-up on the lead highlighted in the queue, at first its top (a on Queue)",
     "run_on('queue', 'log_attempt')"),
    # On the lead shown (lead details) or highlighted (Leads, Queue); else on the Leads screen's.
    ("lead: edit", "Correct the lead: name, company, rep, handoff time… (e)", "on_lead('edit')"),
    ("lead: close as won", "The lead became a customer: its revenue and when (w)", "on_lead('close(\"customer\")')"),
    ("lead: close as lost", "Sales reached the lead and lost it (l)", "on_lead('close(\"lost\")')"),
    ("lead: close as disqualified", "Not a fit: the lead leaves the depth metric (x)",
     "on_lead('close(\"disqualified\")')"),
    ("lead: reopen", "Undo a close: the lead is open again (o)", "on_lead('reopen')"),
    ("lead: delete", "Delete the lead and its attempts (d on Leads)", "on_lead('delete')"),
    ("attempt: edit", "Correct the highlighted attempt of a lead's timeline (enter in lead details)",
     "on_lead('edit_attempt')"),
    ("attempt: delete", "Delete the highlighted attempt of a lead's timeline (d in lead details)",
     "on_lead('delete_attempt')"),
    ("go: reps", "Reps: teams, weekly capacity, open leads (r on Agreements)", "go('reps')"),
    ("rep: add", "Add a rep (n on Reps)", "run_on('reps', 'new')"),
    ("rep: edit", "Rename the selected rep, change their team or weekly capacity (e on Reps)",
     "run_on('reps', 'edit')"),
    ("rep: deactivate or reactivate", "Inactive reps keep their history and leave pick lists (d on Reps)",
     "run_on('reps', 'toggle_active')"),
    ("app: undo last change here", "Undo the last change made on this screen: a lead, an attempt, a rep (u)",
     "undo_here"),
    ("lead: snooze", "Put off the next attempt on the selected lead of the queue (z on Queue)",
     "run_on('queue', 'snooze')"),
    ("app: toggle overdue bell", "Ring the terminal bell when a lead of the queue falls overdue, or stop",
     "toggle_bell"),
    ("app: toggle theme", "Switch between the dark and the light theme (ctrl+t)", "toggle_theme"),
    ("app: help", "Keys and the guide's facts (?)", "help"),
    ("app: quit", "Leave slatui (ctrl+q)", "quit"),
    ("data: load demo", "Add six months of demo agreements, reps and leads", "load_demo"),
    ("data: import file…", "Import a HubSpot, Salesforce, CSV or slatui JSON file and show the summary",
     "import_file"),
)


class SlatuiCommands(Provider):
    def _run(self, action: str):
        return partial(self.app.run_action, action)

    async def discover(self) -> Hits:
        for name, help_text, action in COMMANDS:
            yield DiscoveryHit(name, self._run(action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, action in COMMANDS:
            if (score := matcher.match(name)) > 0:
                yield Hit(score, matcher.highlight(name), self._run(action), text=name, help=help_text)
