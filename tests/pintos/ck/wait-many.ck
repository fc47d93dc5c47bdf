run: wait many
order: per-name
---
(wait) begin
child-0: exit(10)
child-1: exit(11)
child-2: exit(12)
child-3: exit(13)
child-4: exit(14)
(wait) the five children's statuses add up to 60
(wait) end
wait: exit(0)
