package main

// pam resolves pam_limits for many users against a large limits.d tree.
func pam(cfg config) row {
	r := row{ID: "6", What: "resolve pam_limits for 1,000 users, 1,000-line limits.d", Ours: "limits", Theirs: "(none)", OursAllocs: -1, TheirsAllocs: -1}
	r.Skipped = "ours: " + errMissing.Error() + ": limits.Load/Resolve"
	return r
}
