run: args-many a b c d e f g h i j k l m n o p q r s t u v
files: args-many=args
---
(args-many) begin
(args-many) argc = 23
(args-many) argv[0] = 'args-many'
(args-many) argv[1] = 'a'
(args-many) argv[2] = 'b'
(args-many) argv[3] = 'c'
(args-many) argv[4] = 'd'
(args-many) argv[5] = 'e'
(args-many) argv[6] = 'f'
(args-many) argv[7] = 'g'
(args-many) argv[8] = 'h'
(args-many) argv[9] = 'i'
(args-many) argv[10] = 'j'
(args-many) argv[11] = 'k'
(args-many) argv[12] = 'l'
(args-many) argv[13] = 'm'
(args-many) argv[14] = 'n'
(args-many) argv[15] = 'o'
(args-many) argv[16] = 'p'
(args-many) argv[17] = 'q'
(args-many) argv[18] = 'r'
(args-many) argv[19] = 's'
(args-many) argv[20] = 't'
(args-many) argv[21] = 'u'
(args-many) argv[22] = 'v'
(args-many) argv[23] = null
(args-many) end
args-many: exit(0)
