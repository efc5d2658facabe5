import sys, time
from sim import load_config, simulate
V = {"2015": [], "2023": ["service.dispatch=engine", "service.first_time_fix.remote_expert_support=true",
                  "service.workforce.academy.enabled=true", "alerts.enabled=true",
                  "demand.condition.air_filter.enabled=true", "demand.condition.battery_check.enabled=true"]}
name = sys.argv[1]
cfg = load_config(overrides=["experiment=mobile_service_history", *V[name], *sys.argv[2:]])
t=time.time(); r = simulate(cfg, progress=False)
k = r.kpis
keys = ["service_contacts_per_vehicle_year","mobile_share_of_visits","jobs_per_van_day","technician_productive_hours_per_day","on_time_arrival_rate",
 "first_time_fix_rate","first_time_fix_mobile","first_time_fix_center","revisit_share_time","revisit_share_parts","revisit_share_skills","revisit_share_other",
 "predictive_share_of_mobile_jobs","technician_attrition_3m_new","technicians_hired","technicians_left","academy_graduates",
 "cost_per_job_mobile","cost_per_job_center","technician_utilization","mean_wait_h","technicians"]
for key in keys: print(f"{key:40s} {k.get(key)}")
d = r.daily
cols=[c for c in d.columns if c.startswith(("technicians_a","technicians_l","technicians_h", "vans_","technician_t"))]
print(d[cols].iloc[[0, 90, 180, -1]].to_string())
print("wall", round(time.time()-t,1))
