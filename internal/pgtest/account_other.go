//go:build !unix

package pgtest

import (
	"errors"
	"syscall"
)

// account is a system account that the PostgreSQL programs run as. Outside
// Unix the programs always run as the current user.
type account struct {
	name     string
	uid, gid int
}

func serverAccount() (*account, error) {
	return nil, errors.New("start a throwaway cluster: not supported outside Unix, " +
		"so set EHRBRIDGE_TEST_POSTGRES_DSN to an existing server")
}

func sysProcAttr(*account, bool) *syscall.SysProcAttr { return nil }
