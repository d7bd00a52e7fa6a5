/*
 * The cimc model DSL. A .cim file holds imports, constants, reusable blocks and models:
 *
 *   import "blocks.cim"
 *   const WIDTH = 64
 *   block basic(x, width: int, stride: int = 1) { ... return y }
 *   model net(x: f32[1, 3, 32, 32]) {
 *     init he_normal(seed=7)
 *     y = x |> conv2d(WIDTH, kernel=3, pad=1) |> relu |> basic(WIDTH) as stage1
 *     return y
 *   }
 *
 * Newlines are not significant: a statement ends where its expression cannot go on. Comments
 * (line comments from // and block comments between slash-star and star-slash) travel on the hidden channel so the formatter keeps them.
 * The lexer never fails: stray characters become ERROR_CHAR tokens and the parser reports them.
 */
grammar Cim;

program : item* EOF ;

item
  : importDecl
  | constDecl
  | blockDecl
  | modelDecl
  ;

importDecl : IMPORT STRING ;

constDecl : CONST ID ASSIGN expr ;

blockDecl : BLOCK ID LPAREN (param (COMMA param)* COMMA?)? RPAREN body ;

param : ID (COLON ID)? (ASSIGN expr)? ;

modelDecl : MODEL ID LPAREN (input (COMMA input)* COMMA?)? RPAREN body ;

input : ID COLON ID LBRACK (expr (COMMA expr)* COMMA?)? RBRACK ;

body : LBRACE stmt* RBRACE ;

stmt
  : WEIGHTS STRING                                # weightsStmt
  | INIT ID (LPAREN argList? RPAREN)?             # initStmt
  | ID ASSIGN expr                                # assignStmt
  | RETURN expr (COMMA expr)*                     # returnStmt
  ;

expr
  : expr DOT ID                                   # memberExpr
  | expr LBRACK expr RBRACK                       # indexExpr
  | op=(MINUS | NOT) expr                         # unaryExpr
  | expr op=(STAR | SLASH | PERCENT) expr         # binaryExpr
  | expr op=(PLUS | MINUS) expr                   # binaryExpr
  | expr op=(LT | LE | GT | GE | EQ | NE) expr    # binaryExpr
  | expr op=AND expr                              # binaryExpr
  | expr op=OR expr                               # binaryExpr
  | expr PIPE stage                               # pipeExpr
  | annotation* ID LPAREN argList? RPAREN alias?   # callExpr
  | ID                                            # nameExpr
  | INT                                           # intExpr
  | FLOAT                                         # floatExpr
  | STRING                                        # stringExpr
  | (TRUE | FALSE)                                # boolExpr
  | LBRACK (expr (COMMA expr)* COMMA?)? RBRACK    # listExpr
  | LPAREN expr RPAREN                            # parenExpr
  | ifExpr                                        # conditionalExpr
  ;

ifExpr : IF expr LBRACE expr RBRACE ELSE (LBRACE expr RBRACE | ifExpr) ;

stage
  : annotation* ID (LPAREN argList? RPAREN)? alias?                                # layerStage
  | annotation* REPEAT expr (AS ID)? LBRACE stage (PIPE stage)* RBRACE alias?      # repeatStage
  ;

/** The name of a layer, block call or repeat: {@code as conv1}; digits ({@code as 0}) match PyTorch's Sequential. */
alias : AS (ID | INT) ;

annotation : AT ID (LPAREN argList? RPAREN)? ;

argList : arg (COMMA arg)* COMMA? ;

arg : (ID ASSIGN)? expr ;

// ---- lexer ----

IMPORT  : 'import' ;
CONST   : 'const' ;
BLOCK   : 'block' ;
MODEL   : 'model' ;
WEIGHTS : 'weights' ;
INIT    : 'init' ;
RETURN  : 'return' ;
REPEAT  : 'repeat' ;
AS      : 'as' ;
IF      : 'if' ;
ELSE    : 'else' ;
TRUE    : 'true' ;
FALSE   : 'false' ;

PIPE    : '|>' ;
AND     : '&&' ;
OR      : '||' ;
EQ      : '==' ;
NE      : '!=' ;
LE      : '<=' ;
GE      : '>=' ;
LT      : '<' ;
GT      : '>' ;
ASSIGN  : '=' ;
NOT     : '!' ;
PLUS    : '+' ;
MINUS   : '-' ;
STAR    : '*' ;
SLASH   : '/' ;
PERCENT : '%' ;
LPAREN  : '(' ;
RPAREN  : ')' ;
LBRACK  : '[' ;
RBRACK  : ']' ;
LBRACE  : '{' ;
RBRACE  : '}' ;
COMMA   : ',' ;
COLON   : ':' ;
DOT     : '.' ;
AT      : '@' ;

ID    : [A-Za-z_] [A-Za-z0-9_]* ;
FLOAT : [0-9]+ '.' [0-9]+ EXPONENT? | [0-9]+ EXPONENT ;
INT   : [0-9]+ ;
STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;
/** A string without its closing quote on the same line; the parser reports it. */
BAD_STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* ;

fragment EXPONENT : [eE] [+-]? [0-9]+ ;

LINE_COMMENT  : '//' ~[\r\n]* -> channel(HIDDEN) ;
BLOCK_COMMENT : '/*' .*? '*/' -> channel(HIDDEN) ;
/** A block comment that never closes (it cannot contain a closing star-slash); the parser reports it. */
BAD_COMMENT : '/*' ( ~'*' | '*'+ ~[*/] )* '*'* EOF ;
WS : [ \t\r\n\f]+ -> skip ;

/** Anything else (including an unclosed block comment's opening); the parser reports it. */
ERROR_CHAR : . ;
