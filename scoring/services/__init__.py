"""Every write of the scoring app. Views, the API, commands, imports and tasks call these."""
