-- CPU-heavy: a cross join of sequence tables (~1 s).
SELECT COUNT(*) FROM seq_1_to_3000 a, seq_1_to_1000 b WHERE (a.seq + b.seq) % 7 = 0;
