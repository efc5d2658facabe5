"""The workforce in the run report: headcount, skills, tenure, hiring, the expert desk."""
