/* pipeline.h - crm-deal's board and forecast verbs. */
#ifndef CRM_DEAL_PIPELINE_H
#define CRM_DEAL_PIPELINE_H

#include "cli.h"

extern const struct cli_opt pipeline_board_opts[];
extern const struct cli_opt pipeline_forecast_opts[];

/* board [--pipeline NAME] [--owner NAME]: open deals by stage. */
int pipeline_board(struct cli *c, int argc, char **argv);

/* forecast [--by ...] [--from P] [--to P] [--as-of DATE]: the forecast. */
int pipeline_forecast(struct cli *c, int argc, char **argv);

#endif
