package xpath

import "reflect"

func equalExpr(a, b Expr) bool { return reflect.DeepEqual(a, b) }
