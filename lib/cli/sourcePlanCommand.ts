import { MovementSourceSchema, OpeningSourceSchema, type SourcePlanChoice } from "../engagements/types.ts";
import { getSourcePlan, setSourcePlan, toSourcePlanJson, type FigureSourceJson } from "../imports/sourcePlanView.ts";
import { labelsFor } from "../presentation/labels.ts";
import { UsageError } from "./errors.ts";
import { LOCALE_OPTION, localeFromOptions } from "./outputOptions.ts";
import { parseOptions } from "./parseOptions.ts";
import { ENGAGEMENT_OPTIONS, engagementRefFromOptions, openPipelineTarget } from "./pipelineTarget.ts";

/**
 * `saldo source-plan --tenant T --client C --engagement E [--opening prior|file|api|none|default]
 * [--movement file|api|default] [--replace yes|no|default] [--json]`: prints the engagement's source plan, or changes
 * the parts given (`default` hands a part back to the default rule; the parts not given stay as they are) through
 * the same use cases as `GET|PUT …/source-plan`, and prints the plan as it then is.
 */
export async function sourcePlanCommand(
  args: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    ...ENGAGEMENT_OPTIONS,
    opening: { type: "string" },
    movement: { type: "string" },
    replace: { type: "string" },
    json: { type: "boolean", default: false },
    ...LOCALE_OPTION,
  });
  if (positionals.length > 0) throw new UsageError("source-plan takes no file", "«saldo source-plan» tar ingen fil.");
  const ref = engagementRefFromOptions(values);
  const labels = labelsFor(localeFromOptions(values.locale, env));
  const change = changeFromOptions(values);

  const pipeline = await openPipelineTarget(env);
  try {
    let view = await getSourcePlan(pipeline, ref);
    if (change !== undefined) {
      const choice: SourcePlanChoice = { ...view.choice };
      for (const [part, value] of Object.entries(change) as Array<[keyof SourcePlanChoice, unknown]>) {
        if (value === "default") delete choice[part];
        else Object.assign(choice, { [part]: value });
      }
      view = await setSourcePlan(pipeline, ref, choice);
    }
    const json = toSourcePlanJson(view);
    if (values.json) {
      process.stdout.write(JSON.stringify(json, null, 2) + "\n");
      return 0;
    }
    const from = (source: FigureSourceJson) => labels.figureSource(source);
    process.stdout.write(
      [
        `${ref.tenantId}/${ref.clientId}/${ref.engagementId}`,
        `  ${labels.sourcePlanPart("opening", json.opening.source, json.opening.chosenBy === "explicit", from(json.opening.from))}`,
        `  ${labels.sourcePlanPart("movement", json.movement.source, json.movement.chosenBy === "explicit", from(json.movement.from))}`,
        `  ${labels.sourcePlanPart("replace", json.replace.value ? "yes" : "no", json.replace.chosenBy === "explicit", "")}`,
      ].join("\n") + "\n",
    );
    return 0;
  } finally {
    pipeline.close();
  }
}

type PartChange<T> = T | "default";

/** The parts the options change; undefined when none is given (then the plan is only printed). */
function changeFromOptions(values: {
  opening?: string | undefined;
  movement?: string | undefined;
  replace?: string | undefined;
}): { opening?: PartChange<string>; movement?: PartChange<string>; replace?: PartChange<boolean> } | undefined {
  const change: { opening?: PartChange<string>; movement?: PartChange<string>; replace?: PartChange<boolean> } = {};
  if (values.opening !== undefined) {
    if (values.opening !== "default" && !OpeningSourceSchema.safeParse(values.opening).success)
      throw new UsageError(
        "--opening must be prior, file, api, none or default",
        "--opening må være prior, file, api, none eller default.",
      );
    change.opening = values.opening;
  }
  if (values.movement !== undefined) {
    if (values.movement !== "default" && !MovementSourceSchema.safeParse(values.movement).success)
      throw new UsageError("--movement must be file, api or default", "--movement må være file, api eller default.");
    change.movement = values.movement;
  }
  if (values.replace !== undefined) {
    if (!["yes", "no", "default"].includes(values.replace))
      throw new UsageError("--replace must be yes, no or default", "--replace må være yes, no eller default.");
    change.replace = values.replace === "default" ? "default" : values.replace === "yes";
  }
  return Object.keys(change).length === 0 ? undefined : change;
}
