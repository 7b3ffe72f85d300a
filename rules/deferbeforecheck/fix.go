package deferbeforecheck

import (
	"fmt"
	"go/ast"
	"slices"

	"github.com/dave/dst"

	"github.com/deferfix/deferfix/rules/internal/fixes"
)

var sprintf = fmt.Sprintf

// The rewrite:
//
//	v, err := f()          v, err := f()
//	defer v.Close()    ⇒   if err != nil {
//	if err != nil {            return err
//		return err         }
//	}                      defer v.Close()
//
// When the check has an else block, the defer becomes the else's first statement.
// The defer statement moves with its comments. When err is not nil the check leaves the
// block, so the deferred call now runs exactly on the paths where the value is valid. The
// safety conditions (what may stand between the two) are checked in between.

// move moves the defer statement d of the statement list owner to just after check.
func move(f *fixes.File, owner ast.Node, d *ast.DeferStmt, check ast.Stmt) error {
	var list *[]dst.Stmt
	switch n := f.Node(owner).(type) {
	case *dst.BlockStmt:
		list = &n.List
	case *dst.CaseClause:
		list = &n.Body
	case *dst.CommClause:
		list = &n.Body
	default:
		return fmt.Errorf("block not found in the decorated file")
	}
	dd, dc := f.Node(d).(dst.Stmt), f.Node(check).(dst.Stmt)
	i, j := slices.Index(*list, dd), slices.Index(*list, dc)
	if i < 0 || j < i {
		return fmt.Errorf("statements not found in the decorated block")
	}
	// The statement after the defer takes over its leading blank line, if any, so the
	// spacing of the block stays as the author had it.
	if next := (*list)[i+1]; next != nil {
		next.Decorations().Before = dd.Decorations().Before
	}
	dd.Decorations().Before = dst.NewLine
	*list = slices.Delete(*list, i, i+1)
	j--
	if els, ok := dc.(*dst.IfStmt).Else.(*dst.BlockStmt); ok {
		// The check's own branch leaves, so its else is the path past the check.
		els.List = slices.Insert(els.List, 0, dst.Stmt(dd))
		return nil
	}
	*list = slices.Insert(*list, j+1, dd)
	return nil
}
