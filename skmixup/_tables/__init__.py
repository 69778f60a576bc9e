"""Tables in and out: containers (:mod:`.frames`), files (:mod:`.io`) and the
checks run on the columns to be mixed (:mod:`.column_checks`)."""
