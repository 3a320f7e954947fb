-- Sample schema of the demo's MariaDB: accounts with a few hot rows.
CREATE TABLE acct (id INT PRIMARY KEY, v INT NOT NULL, name VARCHAR(40) NOT NULL) ENGINE=InnoDB;
INSERT INTO acct SELECT seq, 0, CONCAT('n', seq) FROM seq_1_to_20000;
