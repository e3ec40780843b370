//go:build unix

package pgtest

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// serverUser is the system account that runs the cluster when the tests run
// as root, because initdb and pg_ctl reject running as root.
const serverUser = "postgres"

// account is a system account that the PostgreSQL programs run as.
type account struct {
	name     string
	uid, gid int
}

// serverAccount returns the account to run the cluster as: nil (the current
// user) unless the tests run as root.
func serverAccount() (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(serverUser)
	if err != nil {
		return nil, fmt.Errorf("look up user %s, needed because initdb rejects running as root: %w "+
			"(install the Debian package postgresql, which creates the user)", serverUser, err)
	}
	uid, errUID := strconv.Atoi(u.Uid)
	gid, errGID := strconv.Atoi(u.Gid)
	if errUID != nil || errGID != nil {
		return nil, fmt.Errorf("look up user %s: non-numeric uid %q or gid %q", serverUser, u.Uid, u.Gid)
	}
	return &account{name: serverUser, uid: uid, gid: gid}, nil
}

// sysProcAttr runs a program as owner (when not nil), the same switch of
// user that runuser -u makes, and in a new session when setsid is true.
func sysProcAttr(owner *account, setsid bool) *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setsid: setsid}
	if owner != nil {
		attr.Credential = &syscall.Credential{Uid: uint32(owner.uid), Gid: uint32(owner.gid)}
	}
	return attr
}
