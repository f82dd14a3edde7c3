package connections

// Notes are plain sentences about a company beyond its status and Detail, which both faces
// show (the window's details pane, the lines under a row of `status`). None is computed on
// this branch yet: the sites note ("You can see 18 of … sites") and the hand-off note come
// with their own changes, which replace this body.
func (cs CompanyStatus) Notes() []string { return nil }
