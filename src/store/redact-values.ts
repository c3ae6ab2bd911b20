import {
  OperationNodeTransformer,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type PrimitiveValueListNode,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
  type ValueNode,
} from 'kysely';

/**
 * Rewrites every string a query carries to the database through `redact`, so nothing written to
 * the store (an error Heroku echoed, a step's outputs, an audit detail) keeps a configured secret,
 * whichever code path wrote it. `redact` replaces values only, so JSON text stays JSON.
 */
export class RedactValuesPlugin implements KyselyPlugin {
  private readonly transformer: RedactingTransformer;

  constructor(redact: (text: string) => string) {
    this.transformer = new RedactingTransformer(redact);
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.transformer.transformNode(args.node);
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

class RedactingTransformer extends OperationNodeTransformer {
  constructor(private readonly redact: (text: string) => string) {
    super();
  }

  protected override transformValue(node: ValueNode): ValueNode {
    return typeof node.value === 'string' ? { ...node, value: this.redact(node.value) } : node;
  }

  protected override transformPrimitiveValueList(node: PrimitiveValueListNode): PrimitiveValueListNode {
    return { ...node, values: node.values.map((v) => (typeof v === 'string' ? this.redact(v) : v)) };
  }
}
